using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.Tests.Tracking;

public class AnalyticsTrackerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("line\nbreak")]
    [InlineData("tab\there")]
    [InlineData("bell\u0007")]
    [InlineData("delete\u007f")]
    public async Task InvalidNamesThrowArgumentExceptionNamingTheName(string name)
    {
        await using var harness = new PipelineHarness();

        var error = Assert.ThrowsAny<ArgumentException>(() => harness.Tracker.Track(name));

        Assert.Equal(nameof(AnalyticsEvent.Name), error.ParamName);
        Assert.Equal(0, harness.Pipeline.Accepted);
    }

    [Fact]
    public async Task ANameLongerThanOneHundredCharactersIsRefusedAndOneHundredIsAccepted()
    {
        await using var harness = new PipelineHarness();

        Assert.Throws<ArgumentException>(() => harness.Tracker.Track(new string('a', 101)));
        Assert.True(harness.Tracker.Track(new string('a', 100)));
    }

    [Fact]
    public async Task ANullEventOrNameIsRefused()
    {
        await using var harness = new PipelineHarness();

        Assert.Throws<ArgumentNullException>(() => harness.Tracker.Track((AnalyticsEvent)null!));
        Assert.ThrowsAny<ArgumentException>(() => harness.Tracker.Track((string)null!));
    }

    [Fact]
    public async Task NegativeDurationsTooManyPropertiesAndEmptyPropertyNamesAreRefused()
    {
        await using var harness = new PipelineHarness();
        var tooMany = Enumerable.Range(0, 51).ToDictionary(i => $"p{i}", i => (object?)i);

        Assert.Throws<ArgumentException>(() => harness.Tracker.Track(new AnalyticsEvent("build") { Duration = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<ArgumentException>(() => harness.Tracker.Track("build", tooMany));
        Assert.Throws<ArgumentException>(() => harness.Tracker.Track("build", new Dictionary<string, object?> { [""] = 1 }));
        Assert.Throws<ArgumentException>(() => harness.Tracker.Track(new AnalyticsEvent("build") { UserId = new string('u', 257) }));
        Assert.Equal(0, harness.Pipeline.Accepted);
    }

    [Fact]
    public async Task PropertiesAreStoredAsAJsonSnapshotTakenWhenTracked()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));
        await using var harness = new PipelineHarness(o =>
        {
            o.EnvironmentName = "Staging";
            o.InstanceName = "web-2";
        }, timeProvider: clock);
        var properties = new Dictionary<string, object?>
        {
            ["version"] = "1.2.3",
            ["attempt"] = 2,
            ["ratio"] = 0.25,
            ["green"] = true,
            ["nothing"] = null,
            ["at"] = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
            ["took"] = TimeSpan.FromSeconds(90),
            ["nan"] = double.NaN,
        };

        Assert.True(harness.Tracker.Track(new AnalyticsEvent("deployment")
        {
            Properties = properties,
            UserId = "alice",
            Duration = TimeSpan.FromSeconds(42),
            Success = true,
        }));
        properties["version"] = "changed after tracking";

        await harness.StartAsync();
        await harness.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
        var stored = Assert.Single(harness.Store.Events);

        Assert.Equal("deployment", stored.Name);
        Assert.Equal(clock.GetUtcNow(), stored.Timestamp);
        Assert.Equal("alice", stored.UserId);
        Assert.Equal(TimeSpan.FromSeconds(42), stored.Duration);
        Assert.True(stored.Success);
        Assert.Equal("Staging", stored.Environment);
        Assert.Equal("web-2", stored.Instance);
        using var json = JsonDocument.Parse(stored.PropertiesJson!);
        var root = json.RootElement;
        Assert.Equal("1.2.3", root.GetProperty("version").GetString());
        Assert.Equal(2, root.GetProperty("attempt").GetInt32());
        Assert.Equal(0.25, root.GetProperty("ratio").GetDouble());
        Assert.True(root.GetProperty("green").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("nothing").ValueKind);
        Assert.Equal("2026-01-02T03:04:05+00:00", root.GetProperty("at").GetString());
        Assert.Equal("00:01:30", root.GetProperty("took").GetString());
        Assert.Equal("NaN", root.GetProperty("nan").GetString());
    }

    [Fact]
    public async Task AGivenTimestampIsKeptInUtc()
    {
        await using var harness = new PipelineHarness();
        var local = new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.FromHours(2));

        harness.Tracker.Track(new AnalyticsEvent("signup") { Timestamp = local });
        await harness.StartAsync();
        await harness.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        var stored = Assert.Single(harness.Store.Events);
        Assert.Equal(local, stored.Timestamp);
        Assert.Equal(TimeSpan.Zero, stored.Timestamp.Offset);
    }
}
