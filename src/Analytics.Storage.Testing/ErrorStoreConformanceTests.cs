using static Analytics.Storage.Testing.StoreTestData;

namespace Analytics.Storage.Testing;

/// <summary>
/// The suite of <see cref="StoreCapabilities.Errors"/> (<see cref="IErrorStore"/>): error groups updated from each
/// batch in its transaction, with lifetime counts, the latest details, resolving, regressing and occurrences. Derive a
/// public class from it, for the same factory as <see cref="AnalyticsStoreConformanceTests{TFactory}"/>, when the store
/// declares the capability.
/// </summary>
/// <typeparam name="TFactory">Creates the store under test; one instance per test.</typeparam>
public abstract class ErrorStoreConformanceTests<TFactory> : StoreConformanceTestBase<TFactory>
    where TFactory : IConformanceStoreFactory, new()
{
    private IErrorStore Errors => Declared(static c => c.Errors, nameof(StoreCapabilities.Errors));

    /// <summary>
    /// Error groups count every occurrence across batches and keep the first occurrence and the latest details.
    /// </summary>
    [Fact]
    public async Task ErrorGroupsCountEveryOccurrenceAcrossBatchesAndKeepTheLatestDetails()
    {
        var first = Failure(Start.AddMinutes(1), "first");
        await Store.WriteBatchAsync(Batch([first, Failure(Start.AddMinutes(2), "second")]), default);
        await Store.WriteBatchAsync(Batch([Failure(Start.AddHours(3), "third") with { StatusCode = 502 }]), default);

        var fingerprint = Assert.Single((await Store.ReadRequestsAsync(new RawQuery(), default)).Select(r => r.Request.ErrorFingerprint).Distinct());
        var group = Assert.Single(await Errors.ReadErrorGroupsAsync([fingerprint!, "0000000000000000"], default));

        Assert.Equal(3, group.Count);
        Assert.Equal(Start.AddMinutes(1), group.FirstSeen);
        Assert.Equal(Start.AddHours(3), group.LastSeen);
        Assert.Equal("third", group.Message);
        Assert.Equal(502, group.StatusCode);
        Assert.Equal(ErrorSeverity.High, group.Severity);
        Assert.Null(group.ResolvedAt);
        Assert.False(group.Regressed);
    }

    /// <summary>
    /// A resolved group reopens as regressed only on an occurrence after its resolution; resolving again clears the
    /// flag.
    /// </summary>
    [Fact]
    public async Task AResolvedGroupReopensAsRegressedOnlyOnALaterOccurrence()
    {
        await Store.WriteBatchAsync(Batch([Failure(Start.AddMinutes(1), "one")]), default);
        var fingerprint = (await Store.ReadRequestsAsync(new RawQuery(), default))[0].Request.ErrorFingerprint!;

        Assert.True(await Errors.ResolveErrorGroupAsync(fingerprint, Start.AddMinutes(10), default));
        Assert.False(await Errors.ResolveErrorGroupAsync("0000000000000000", Start.AddMinutes(10), default));

        // An occurrence from before the resolution (a late batch) leaves it resolved.
        await Store.WriteBatchAsync(Batch([Failure(Start.AddMinutes(5), "late")]), default);
        var stillResolved = Assert.Single(await Errors.ReadErrorGroupsAsync([fingerprint], default));
        Assert.Equal(Start.AddMinutes(10), stillResolved.ResolvedAt);
        Assert.False(stillResolved.Regressed);

        await Store.WriteBatchAsync(Batch([Failure(Start.AddMinutes(11), "again")]), default);
        var reopened = Assert.Single(await Errors.ReadErrorGroupsAsync([fingerprint], default));
        Assert.Null(reopened.ResolvedAt);
        Assert.True(reopened.Regressed);
        Assert.Equal(3, reopened.Count);

        // Resolving again clears the flag.
        Assert.True(await Errors.ResolveErrorGroupAsync(fingerprint, Start.AddMinutes(20), default));
        var resolvedAgain = Assert.Single(await Errors.ReadErrorGroupsAsync([fingerprint], default));
        Assert.False(resolvedAgain.Regressed);
        Assert.Equal(Start.AddMinutes(20), resolvedAgain.ResolvedAt);
    }

    /// <summary>A group's occurrences are its raw rows, newest first, with their trace ids and stack traces.</summary>
    [Fact]
    public async Task OccurrencesAreTheGroupsRawRowsNewestFirstWithTraceIdsAndStackTraces()
    {
        var requests = Enumerable.Range(0, 5).Select(i => Failure(Start.AddSeconds(i), $"m{i}") with { TraceId = $"{i:x32}" }).ToList();
        requests.Add(Request(Start.AddSeconds(9), status: 503)); // another group
        requests.Add(Request(Start.AddSeconds(9)));               // not a failure
        await Store.WriteBatchAsync(Batch(requests), default);
        var fingerprint = (await Store.ReadRequestsAsync(new RawQuery(), default))
            .Select(r => r.Request)
            .First(r => r.ExceptionType is not null)
            .ErrorFingerprint!;

        var occurrences = await Errors.ReadErrorOccurrencesAsync(fingerprint, 3, default);

        Assert.Equal([$"{4:x32}", $"{3:x32}", $"{2:x32}"], occurrences.Select(o => o.Request.TraceId));
        Assert.All(occurrences, o => Assert.Equal(StackTraceOf("Orders.Checkout"), o.Request.StackTrace));
    }

    /// <summary>Error rollups are kept per group, and the errors query names each group with its severity.</summary>
    [Fact]
    public async Task ErrorRollupsArePerGroupAndTheErrorsListNamesTheGroups()
    {
        await Store.WriteBatchAsync(Batch([
            Failure(Start.AddMinutes(1), "a"),
            Failure(Start.AddMinutes(1), "b") with { StackTrace = StackTraceOf("Orders.Refund") },
            Request(Start.AddMinutes(1), status: 503),
        ]), default);

        var errors = await Queries(Start.AddHours(1)).GetErrorsAsync(new AnalyticsQuery { From = Start, To = Start.AddHours(1) }, default);

        Assert.Equal(3, errors.Count);
        Assert.Equal(3, errors.Select(e => e.Fingerprint).Distinct().Count());
        Assert.All(errors, e => Assert.Matches("^[0-9a-f]{16}$", e.Fingerprint));
        Assert.Equal(ErrorSeverity.Medium, errors.Single(e => e.StatusCode == 503).Severity);
    }

    private static RequestRecord Failure(DateTimeOffset at, string message) =>
        Request(at, status: 500, exceptionType: "System.InvalidOperationException", exceptionMessage: message) with
        {
            StackTrace = StackTraceOf("Orders.Checkout")
        };

    private static string StackTraceOf(string method) =>
        $"System.InvalidOperationException\n   at {method}(Int32 id) in /src/Orders.cs:line 42\n" +
        "   at Microsoft.AspNetCore.Http.RequestDelegateFactory.ExecuteTask()\n";
}
