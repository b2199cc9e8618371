using System.IO.Compression;
using System.Text.RegularExpressions;
using Analytics.Testing;
using Xunit.Abstractions;

namespace Analytics.AspNetCore.Tests;

/// <summary>
/// The library as users meet it: the four packages packed from this build into a local feed under a version no cache
/// has seen, and one small app per real app shape (tests/Consumers) built from those packages outside the solution —
/// nothing of this repository's build settings applies to them. Each app's <c>GET /matrix</c> drives its own traffic
/// and asks the library, through its public API, what it recorded; every line it answers is a check.
/// </summary>
public partial class ConsumerMatrixTests(ConsumerMatrixTests.Apps apps, ITestOutputHelper output) : IClassFixture<ConsumerMatrixTests.Apps>
{
    [Theory]
    [InlineData("WebApi")]
    [InlineData("Mvc")]
    [InlineData("Compression")]
    [InlineData("Grpc")]
    [InlineData("SignalR")]
    [InlineData("EfCore")]
    [InlineData("ServiceDefaults")]
    [InlineData("Aot")]
    public async Task TheShapePassesItsChecks(string shape)
    {
        var report = await apps.RunAsync(shape);
        output.WriteLine(report);

        var lines = report.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Matches("^(PASS|FAIL) ", line));
        Assert.True(lines.All(l => l.StartsWith("PASS ", StringComparison.Ordinal)), $"{shape}:\n{report}");
    }

    [Theory]
    [InlineData("Analytics.Core")]
    [InlineData("Analytics.Sqlite")]
    [InlineData("Analytics.AspNetCore")]
    [InlineData("Analytics.PostgreSql")]
    [InlineData("Analytics.Storage.Testing")]
    public void ThePackageIsComplete(string library)
    {
        using (var package = ZipFile.OpenRead(apps.Package(library, "nupkg")))
        {
            var entries = package.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("README.md", entries);
            Assert.Contains($"lib/net10.0/{library}.dll", entries);
            Assert.Contains($"lib/net10.0/{library}.xml", entries);

            using var nuspec = new StreamReader(package.GetEntry($"{library}.nuspec")!.Open());
            var text = nuspec.ReadToEnd();
            Assert.Contains("<license type=\"expression\">MIT</license>", text);
            Assert.Contains("<readme>README.md</readme>", text);
            Assert.Matches("<repository type=\"git\" url=\"https://[^\"]+\"", text);
            Assert.Matches("<projectUrl>https://[^<]+</projectUrl>", text);

            // The package's own short README, whose links work on a package page: absolute, never into the repository tree.
            using var readme = new StreamReader(package.GetEntry("README.md")!.Open());
            var readmeText = readme.ReadToEnd();
            Assert.StartsWith($"# {library}\n", readmeText.ReplaceLineEndings("\n"));
            Assert.True(readmeText.Length < 4_000, $"{library}'s package README is {readmeText.Length} characters: the manual is the repository's README");
            var links = MarkdownLink().Matches(readmeText).Select(m => m.Groups[1].Value).ToList();
            Assert.NotEmpty(links);
            Assert.All(links, link => Assert.StartsWith("https://", link));
        }

        using var symbols = ZipFile.OpenRead(apps.Package(library, "snupkg"));
        Assert.Contains(symbols.Entries, e => e.FullName == $"lib/net10.0/{library}.pdb");
    }

    [Fact]
    public void TheNativeAotPublishHasNoTrimOrAotWarnings()
    {
        var warnings = apps.AotWarnings();
        output.WriteLine($"Native AOT publish: {warnings.Count} warnings");
        Assert.Empty(warnings);
    }

    [GeneratedRegex(@"\]\(([^)]+)\)")]
    private static partial Regex MarkdownLink();

    /// <summary>Packs, builds every app once (the AOT one published), and runs each on demand.</summary>
    public sealed partial class Apps : IAsyncLifetime
    {
        private static readonly string[] Libraries = ["Analytics.Core", "Analytics.Sqlite", "Analytics.AspNetCore", "Analytics.PostgreSql", "Analytics.Storage.Testing"];
        private readonly TempDirectory _work = new();
        private readonly string _version = $"0.0.0-matrix.{DateTime.UtcNow:yyyyMMddHHmmss}.{Guid.NewGuid().ToString("N")[..8]}";
        private string _publishOutput = "";

        private string Root => _work.File("apps");

        public string Package(string library, string extension) => Path.Combine(_work.File("feed"), $"{library}.{_version}.{extension}");

        public async Task InitializeAsync()
        {
            var repository = TestProcess.RepositoryRoot();
            var feed = Directory.CreateDirectory(_work.File("feed")).FullName;
            foreach (var library in Libraries)
            {
                await TestProcess.RunAsync(repository, TimeSpan.FromMinutes(2), "dotnet", "pack", $"src/{library}/{library}.csproj",
                    "-c", TestProcess.Configuration, "--no-build", "-o", feed, $"-p:Version={_version}");
            }

            CopyDirectory(Path.Combine(repository, "tests", "Consumers"), Root);
            await File.WriteAllTextAsync(Path.Combine(Root, "Directory.Build.props"), $"""
                <Project>
                  <PropertyGroup>
                    <AnalyticsVersion>{_version}</AnalyticsVersion>
                  </PropertyGroup>
                </Project>
                """);
            await File.WriteAllTextAsync(Path.Combine(Root, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="analytics-local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);

            // The `dotnet new mvc` shape with a library of assets: 100 files that MapStaticAssets maps one by one.
            for (var i = 0; i < 100; i++)
            {
                var folder = Directory.CreateDirectory(Path.Combine(Root, "Mvc", "wwwroot", "lib", $"widget{i % 10}")).FullName;
                await File.WriteAllTextAsync(Path.Combine(folder, $"part{i}.css"), $".part{i} {{ color: red; }}");
            }

            var projects = Directory.GetFiles(Root, "*.csproj", SearchOption.AllDirectories).Where(p => !p.Contains("/Aot/", StringComparison.Ordinal)).ToArray();
            await TestProcess.RunAsync(Root, TimeSpan.FromMinutes(2), "dotnet", "new", "sln", "-n", "Matrix", "--format", "sln");
            await TestProcess.RunAsync(Root, TimeSpan.FromMinutes(2), "dotnet", ["sln", "Matrix.sln", "add", .. projects]);
            await TestProcess.RunAsync(Root, TimeSpan.FromMinutes(6), "dotnet", "build", "Matrix.sln", "-c", "Release", "--disable-build-servers");
            _publishOutput = await TestProcess.RunAsync(Root, TimeSpan.FromMinutes(8), "dotnet", "publish", "Aot/Aot.csproj", "-c", "Release",
                "-r", "linux-x64", "-o", Path.Combine(Root, "Aot", "published"), "--disable-build-servers");
        }

        public IReadOnlyList<string> AotWarnings() =>
            [.. _publishOutput.Split('\n').Where(l => AotWarning().IsMatch(l)).Distinct()];

        public async Task<string> RunAsync(string shape)
        {
            var folder = Path.Combine(Root, shape);
            var data = Directory.CreateDirectory(_work.File($"data-{shape}")).FullName;
            var environment = new Dictionary<string, string> { ["XDG_DATA_HOME"] = data }; // the default database goes here
            await using var process = shape == "Aot"
                ? TestProcess.Start(Path.Combine(folder, "published", "Aot"), folder, environment, "--urls", "http://127.0.0.1:0")
                : TestProcess.Start("dotnet", folder, environment, Path.Combine(folder, "bin", "Release", "net10.0", $"{shape}.dll"), "--urls", "http://127.0.0.1:0");
            var listening = await process.WaitForLineAsync(l => ListeningOn().IsMatch(l), TimeSpan.FromSeconds(60), $"the {shape} app listens");
            var origin = ListeningOn().Match(listening).Value;

            // The gRPC app's endpoint speaks HTTP/2 only (cleartext HTTP/2 needs prior knowledge).
            using var client = new HttpClient { BaseAddress = new Uri(origin), Timeout = TimeSpan.FromMinutes(2) };
            using var request = new HttpRequestMessage(HttpMethod.Get, "/matrix");
            if (shape == "Grpc")
            {
                request.Version = System.Net.HttpVersion.Version20;
                request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            }

            using var response = await client.SendAsync(request);
            var report = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{shape}: GET /matrix answered {(int)response.StatusCode}: {report}\n{process.Transcript}");

            // No app chose a store: the default database is outside the content root, where the app said it is.
            var announced = await process.WaitForLineAsync(l => l.Contains("Request analytics stores its data in ", StringComparison.Ordinal), TimeSpan.FromSeconds(10), $"the {shape} app names its database");
            var database = DatabaseAnnounced().Match(announced).Groups[1].Value;
            Assert.StartsWith(Path.Combine(data, "Analytics") + Path.DirectorySeparatorChar, database);
            Assert.True(File.Exists(database), $"the announced database {database} exists");
            Assert.False(File.Exists(Path.Combine(folder, "analytics.db")), "no database in the content root");
            return report;
        }

        public Task DisposeAsync()
        {
            RemoveFromGlobalCache(_version);
            _work.Dispose();
            return Task.CompletedTask;
        }

        private static void CopyDirectory(string from, string to)
        {
            foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(from, file);
                if (relative.Split(Path.DirectorySeparatorChar) is var parts && (parts.Contains("bin") || parts.Contains("obj")))
                {
                    continue;
                }

                var target = Path.Combine(to, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }

        private static void RemoveFromGlobalCache(string version)
        {
            var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            foreach (var library in Libraries)
            {
                var folder = Path.Combine(cache, library.ToLowerInvariant(), version);
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
        }

        [GeneratedRegex(@"http://127\.0\.0\.1:\d+")]
        private static partial Regex ListeningOn();

        [GeneratedRegex(@"stores its data in (.+analytics\.db) ")]
        private static partial Regex DatabaseAnnounced();

        [GeneratedRegex(@"warning (IL\d+|AOT\d+|IL3\d+)")]
        private static partial Regex AotWarning();
    }
}
