using Analytics.Sqlite;
using Analytics.Storage;

namespace Analytics.AspNetCore.Tests;

/// <summary>Reads what a host stored, straight from its SQLite file, without going through the host.</summary>
internal static class StoredRequests
{
    /// <summary>Every raw request row in the file at <paramref name="databasePath"/> (up to 10 000).</summary>
    public static async Task<IReadOnlyList<RequestRecord>> ReadAllAsync(string databasePath)
    {
        using var store = new SqliteAnalyticsStore(databasePath);
        var rows = await store.ReadRequestsAsync(new RawQuery { Limit = 10_000 }, default);
        return [.. rows.Select(r => r.Request)];
    }
}
