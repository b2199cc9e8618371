using static Analytics.Storage.Testing.StoreTestData;

namespace Analytics.Storage.Testing;

/// <summary>
/// Strings a store may keep once and reference (the SQLite store interns paths, addresses, user agents and the other
/// repeating columns, and keeps W3C trace ids as bytes): each row still reads back its own string, exactly.
/// </summary>
public abstract partial class AnalyticsStoreConformanceTests<TFactory>
{
    /// <summary>
    /// Strings that differ only in case, Unicode normalization or trailing space stay distinct, repeated strings read
    /// back on every row, and a trace id reads back as written whether or not it is a lowercase W3C id.
    /// </summary>
    [Fact]
    public async Task RepeatedAndNearlyEqualStringsReadBackExactlyOnEveryRow()
    {
        string[] paths = ["/café", "/cafe\u0301", "/Café", "/café ", "/café"];
        string?[] traceIds =
        [
            "0af7651916cd43dd8448eb211c80319c", "0AF7651916CD43DD8448EB211C80319C", "0af7651916cd43dd8448eb211c80319", null,
            "zzf7651916cd43dd8448eb211c80319c",
        ];
        var requests = paths.Select((path, i) => Request(Start.AddSeconds(i)) with
        {
            Path = path,
            UserAgent = i % 2 == 0 ? "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0" : "mozilla/5.0 (x11; linux x86_64) firefox/133.0",
            ClientIp = i < 3 ? "203.0.113.0" : null,
            Consumer = i == 4 ? "Mobile" : "mobile",
            TraceId = traceIds[i],
        }).ToArray();

        await Store.WriteBatchAsync(Batch(requests[..3]), default);
        await Store.WriteBatchAsync(Batch(requests[3..]), default);
        var stored = await Store.ReadRequestsAsync(new RawQuery(), default);

        Assert.Equal(requests.Reverse(), stored.Select(s => s.Request));
        Assert.Equal(2, (await Store.ReadRequestsAsync(new RawQuery { Consumer = "mobile", From = Start.AddSeconds(2) }, default)).Count);
    }
}
