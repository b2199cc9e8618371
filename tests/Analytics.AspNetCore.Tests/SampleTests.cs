using System.Text.RegularExpressions;
using Analytics.Testing;

namespace Analytics.AspNetCore.Tests;

/// <summary>The README's main command: the sample starts, says where it listens and where its database is, and its traffic generator fills it.</summary>
public partial class SampleTests
{
    [Fact]
    public async Task TheSampleStartsPrintsItsDatabaseAndRecordsItsOwnDemoTraffic()
    {
        using var directory = new TempDirectory();
        var database = directory.File("sample.db");
        var sample = Path.Combine(TestProcess.RepositoryRoot(), "samples", "Analytics.Sample", "bin", TestProcess.Configuration, "net10.0", "Analytics.Sample.dll");
        Assert.True(File.Exists(sample), $"the sample should have been built at {sample}");

        await using var process = TestProcess.Start("dotnet", Path.GetDirectoryName(sample)!, sample, "--urls", "http://127.0.0.1:0", "--Sample:Database", database);
        await process.WaitForLineAsync(l => l.Contains("Request analytics database:"), TimeSpan.FromSeconds(60), "the sample prints its banner");
        Assert.Contains(process.Output, l => l.Contains($"Request analytics database: {database}"));
        Assert.Contains(process.Output, l => ListeningOn().IsMatch(l));

        await Wait.UntilAsync(() => CountRows(database) >= 20, TimeSpan.FromSeconds(60), "the demo traffic is recorded");

        // The printed API address answers with the traffic the generator made.
        var api = await process.WaitForLineAsync(l => l.Contains("Analytics API: "), TimeSpan.FromSeconds(5), "the sample prints its API address");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var overview = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync(api.Split("Analytics API: ")[1].Split(' ')[0]));
        Assert.True(overview.RootElement.GetProperty("totalRequests").GetInt64() > 0, overview.RootElement.ToString());
    }

    private static long CountRows(string database)
    {
        if (!File.Exists(database))
        {
            return 0;
        }

        try
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM requests;";
            return (long)command.ExecuteScalar()!;
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            return 0; // the schema is not there yet
        }
    }

    [GeneratedRegex(@"listening on http://127\.0\.0\.1:\d+")]
    private static partial Regex ListeningOn();
}
