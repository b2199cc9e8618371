using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
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
        var configuration = typeof(SampleTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var sample = Path.Combine(RepositoryRoot(), "samples", "Analytics.Sample", "bin", configuration, "net10.0", "Analytics.Sample.dll");
        Assert.True(File.Exists(sample), $"the sample should have been built at {sample}");

        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { sample, "--urls", "http://127.0.0.1:0", "--Sample:Database", database },
            WorkingDirectory = Path.GetDirectoryName(sample)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        process.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Wait.UntilAsync(() => output.Any(l => l.Contains("Request analytics database:")) || process.HasExited, TimeSpan.FromSeconds(60), "the sample prints its banner");
            Assert.False(process.HasExited, string.Join('\n', output));
            Assert.Contains(output, l => l.Contains($"Request analytics database: {database}"));
            Assert.Contains(output, l => ListeningOn().IsMatch(l));

            await Wait.UntilAsync(() => CountRows(database) >= 20, TimeSpan.FromSeconds(60), "the demo traffic is recorded");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
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

    private static string RepositoryRoot([CallerFilePath] string path = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));

    [GeneratedRegex(@"listening on http://127\.0\.0\.1:\d+")]
    private static partial Regex ListeningOn();
}
