using System.IO.Compression;
using System.Text.RegularExpressions;
using Analytics.Testing;

namespace Analytics.AspNetCore.Tests;

/// <summary>
/// The packages as a user gets them: packed from this build, restored by a fresh web app outside the solution from a
/// local folder source, run, and seen to count a request.
/// </summary>
public partial class PackageTests
{
    private static readonly string[] Libraries = ["Analytics.Core", "Analytics.Sqlite", "Analytics.AspNetCore", "Analytics.PostgreSql"];

    [Fact]
    public async Task APackedLibraryWorksInAFreshAppFromALocalFeed()
    {
        using var work = new TempDirectory();
        var feed = Directory.CreateDirectory(work.File("feed")).FullName;
        var app = Directory.CreateDirectory(work.File("app")).FullName;
        var root = TestProcess.RepositoryRoot();

        // A version no earlier run used, so NuGet's global cache cannot hand back a stale package.
        var version = $"0.0.0-packtest.{DateTime.UtcNow:yyyyMMddHHmmss}.{Guid.NewGuid().ToString("N")[..8]}";
        try
        {
            foreach (var library in Libraries)
            {
                await TestProcess.RunAsync(root, TimeSpan.FromMinutes(2), "dotnet", "pack", $"src/{library}/{library}.csproj",
                    "-c", TestProcess.Configuration, "--no-build", "-o", feed, $"-p:Version={version}");
                AssertPackageIsComplete(feed, library, version);
            }

            await File.WriteAllTextAsync(Path.Combine(app, "FreshApp.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk.Web">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Analytics.AspNetCore" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);

            // The local folder is added to the machine's configured sources, which still provide Microsoft.* packages.
            await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="analytics-local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
                using Analytics;

                var builder = WebApplication.CreateBuilder(args);
                builder.Services.AddRequestAnalytics();
                var app = builder.Build();
                app.UseRequestAnalytics();
                app.MapGet("/hello", () => "hello");
                app.MapGet("/count", async (IAnalyticsPipeline pipeline, IAnalyticsQueries queries) =>
                {
                    await pipeline.FlushAsync();
                    var now = DateTimeOffset.UtcNow;
                    var overview = await queries.GetOverviewAsync(new AnalyticsQuery { From = now.AddHours(-1), To = now.AddMinutes(1), Route = "/hello" }, default);
                    return overview.TotalRequests;
                });
                app.Run();
                """);

            await TestProcess.RunAsync(app, TimeSpan.FromMinutes(4), "dotnet", "build", "-c", "Release", "--disable-build-servers", "-o", Path.Combine(app, "out"));
            Assert.True(File.Exists(Path.Combine(app, "out", "Analytics.AspNetCore.dll")));

            await using var process = TestProcess.Start("dotnet", app, Path.Combine(app, "out", "FreshApp.dll"), "--urls", "http://127.0.0.1:0");
            var listening = await process.WaitForLineAsync(l => ListeningOn().IsMatch(l), TimeSpan.FromSeconds(60), "the fresh app listens");
            using var client = new HttpClient { BaseAddress = new Uri(ListeningOn().Match(listening).Value), Timeout = TimeSpan.FromSeconds(30) };

            Assert.Equal("hello", await client.GetStringAsync("/hello"));
            Assert.Equal("1", await client.GetStringAsync("/count"));
            // The default database is outside the content root (which the configuration's reload-on-change watches),
            // and the app says where at start.
            Assert.False(File.Exists(Path.Combine(app, "analytics.db")), "the default SQLite file is not in the content root");
            var announced = await process.WaitForLineAsync(l => l.Contains("Request analytics stores its data in ", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the app names its database");
            var database = DatabaseAnnounced().Match(announced).Groups[1].Value;
            Assert.True(File.Exists(database), $"the announced database {database} exists");
            Directory.Delete(Path.GetDirectoryName(database)!, recursive: true);
        }
        finally
        {
            RemoveFromGlobalCache(version);
        }
    }

    private static void AssertPackageIsComplete(string feed, string library, string version)
    {
        using (var package = ZipFile.OpenRead(Path.Combine(feed, $"{library}.{version}.nupkg")))
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

        using var symbols = ZipFile.OpenRead(Path.Combine(feed, $"{library}.{version}.snupkg"));
        Assert.Contains(symbols.Entries, e => e.FullName == $"lib/net10.0/{library}.pdb");
    }

    private static void RemoveFromGlobalCache(string version)
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var library in Libraries)
        {
            var id = Path.Combine(cache, library.ToLowerInvariant());
            var folder = Path.Combine(id, version);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            if (Directory.Exists(id) && !Directory.EnumerateFileSystemEntries(id).Any())
            {
                Directory.Delete(id);
            }
        }
    }

    [GeneratedRegex(@"\]\(([^)]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"stores its data in (.+analytics\.db) ")]
    private static partial Regex DatabaseAnnounced();

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+")]
    private static partial Regex ListeningOn();
}
