using System.Diagnostics;
using System.Text.Json;
using Analytics.Testing;

namespace Analytics.AspNetCore.Tests.Endpoints;

/// <summary>
/// Runs Redocly's OpenAPI linter (the @redocly/cli package in tests/node-clients) over the document of a host with the
/// analytics group, with the rules of tests/node-clients/redocly.yaml: the recommended set, spec rules included, less
/// those about what only the host decides (its security schemes, licence, server URL, tag descriptions).
/// </summary>
public class OpenApiLintTests
{
    [Fact]
    public async Task TheHostsDocumentPassesTheLinterWithoutAProblem()
    {
        await using var host = await OpenApiTestApp.StartAsync();
        using var directory = new TempDirectory();
        var document = directory.File("openapi.json");
        await File.WriteAllTextAsync(document, await OpenApiTestApp.DocumentTextAsync(host));

        var (exitCode, output, errors) = await LintAsync(document);

        JsonElement report;
        try
        {
            report = JsonDocument.Parse(output).RootElement;
        }
        catch (JsonException)
        {
            Assert.Fail($"redocly lint exited {exitCode} without a report:\n{errors}\n{output}");
            throw;
        }

        var problems = string.Join('\n', report.GetProperty("problems").EnumerateArray().Select(p =>
            $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()}: {p.GetProperty("message").GetString()} at {p.GetProperty("location")[0].GetProperty("pointer").GetString()}"));
        Assert.True(report.GetProperty("totals").GetProperty("errors").GetInt32() == 0, $"the linter found errors:\n{problems}");
        Assert.True(report.GetProperty("totals").GetProperty("warnings").GetInt32() == 0, $"the linter warned:\n{problems}");
        Assert.True(exitCode == 0, $"redocly lint exited {exitCode}: {errors}");
    }

    /// <summary>Runs <c>redocly lint</c> from tests/node-clients, where its rules are; fails, naming the fix, when it is not installed.</summary>
    private static async Task<(int ExitCode, string Output, string Errors)> LintAsync(string document)
    {
        var directory = Path.Combine(TestProcess.RepositoryRoot(), "tests", "node-clients");
        var cli = Path.Combine(directory, "node_modules", "@redocly", "cli", "bin", "cli.js");
        Assert.True(File.Exists(cli), $"@redocly/cli is not installed in {directory}: run ./test.sh, which installs it (npm ci).");
        var node = TestProcess.RequiredTool("node", "Debian package nodejs");

        var start = new ProcessStartInfo(node)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])[cli, "lint", "--config", "redocly.yaml", "--format", "json", document])
        {
            start.ArgumentList.Add(argument);
        }

        // The linter works offline; these keep it from reporting usage or looking for a newer version.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }
}
