using System.Data.Common;
using System.Globalization;
using Xunit.Abstractions;

namespace Analytics.AspNetCore.Tests.Faults;

/// <summary>
/// The invariant every fault must leave standing, read from the database itself: at each granularity the request rollups
/// are exactly the raw rows regrouped (count, errors, duration and byte sums per bucket, route, method and status), and
/// the error rollups count every failed request once. The SQL runs on SQLite and PostgreSQL alike.
/// </summary>
internal static class RollupCheck
{
    private static readonly (Granularity Granularity, TimeSpan Size)[] Granularities =
        [(Granularity.Minute, TimeSpan.FromMinutes(1)), (Granularity.Hour, TimeSpan.FromHours(1)), (Granularity.Day, TimeSpan.FromDays(1))];

    /// <summary>Asserts the invariant; returns the number of raw rows. <paramref name="schema"/> prefixes the tables ("" or "analytics.").</summary>
    public static long AssertRollupsMatchRawRows(DbConnection connection, ITestOutputHelper output, string schema = "")
    {
        var rows = Scalar(connection, $"SELECT count(*) FROM {schema}requests;");
        foreach (var (granularity, size) in Granularities)
        {
            var fromRollups = Groups(connection, $"""
                SELECT bucket_start, route, method, status, sum(count), sum(errors), sum(duration_sum_us), sum(request_bytes), sum(response_bytes)
                FROM {schema}request_rollups WHERE granularity = {(int)granularity} GROUP BY 1, 2, 3, 4;
                """);
            var fromRows = Groups(connection, $"""
                SELECT (ts / {Micros(size)}) * {Micros(size)}, route, method, status, count(*),
                    sum(CASE WHEN status >= 500 OR exception_type IS NOT NULL THEN 1 ELSE 0 END), sum(duration_us), sum(request_bytes), sum(response_bytes)
                FROM {schema}requests GROUP BY 1, 2, 3, 4;
                """);
            var missing = fromRows.Except(fromRollups).ToList();
            var extra = fromRollups.Except(fromRows).ToList();
            Assert.True(
                missing.Count == 0 && extra.Count == 0,
                $"{granularity} rollups differ from the raw rows (bucket, route, method, status, count, errors, duration, request bytes, response bytes):\n" +
                $"recomputed from rows but not in the rollups:\n  {string.Join("\n  ", missing.Take(10))}\nin the rollups but not in the rows:\n  {string.Join("\n  ", extra.Take(10))}");
            var total = Scalar(connection, $"SELECT coalesce(sum(count), 0) FROM {schema}request_rollups WHERE granularity = {(int)granularity};");
            Assert.Equal(rows, total);
            output.WriteLine($"{granularity} rollups: {fromRollups.Count} buckets×keys, {total:N0} requests, equal to the {rows:N0} raw rows regrouped.");
        }

        var errors = Scalar(connection, $"SELECT count(*) FROM {schema}requests WHERE status >= 500 OR exception_type IS NOT NULL;");
        foreach (var (granularity, _) in Granularities)
        {
            Assert.Equal(errors, Scalar(connection, $"SELECT coalesce(sum(count), 0) FROM {schema}error_rollups WHERE granularity = {(int)granularity};"));
        }

        output.WriteLine($"Errors: {errors} failed requests, counted once in the error rollups of every granularity.");
        return rows;
    }

    public static long Scalar(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L, CultureInfo.InvariantCulture);
    }

    private static long Micros(TimeSpan size) => size.Ticks / TimeSpan.TicksPerMicrosecond;

    private static HashSet<string> Groups(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var groups = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            groups.Add(string.Join(", ", Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        }

        return groups;
    }
}
