namespace Analytics.Sqlite.Tests;

/// <summary>Where the SQLite file goes when the app names none: a folder per app and content root, outside that root.</summary>
public sealed class SqliteDefaultLocationTests
{
    [Fact]
    public void TheDefaultFolderIsPerAppAndContentRootAndStableAcrossRestarts()
    {
        var first = SqliteDefaultLocation.Folder("Orders.Api", "/srv/orders");
        Assert.Equal(first, SqliteDefaultLocation.Folder("Orders.Api", "/srv/orders/"));
        Assert.NotEqual(first, SqliteDefaultLocation.Folder("Orders.Api", "/srv/orders-2"));
        Assert.NotEqual(first, SqliteDefaultLocation.Folder("Billing", "/srv/orders"));
        Assert.StartsWith("bad_name_-", SqliteDefaultLocation.Folder("bad name/", "/srv/orders"), StringComparison.Ordinal);
        Assert.StartsWith("app-", SqliteDefaultLocation.Folder(null, "/srv/orders"), StringComparison.Ordinal);
    }

    [Fact]
    public void AContentRootThatHoldsTheApplicationDataFolderGetsTheDatabaseInTheTemporaryFolder()
    {
        // An app run from the home folder: ~/.local/share is inside its content root, which the configuration watches.
        var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        Assert.False(string.IsNullOrEmpty(data), "this machine has no local application data folder");
        var contentRoot = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(data))!;

        var path = SqliteDefaultLocation.Choose("Home.App", contentRoot);

        Assert.StartsWith(Path.Combine(Path.GetTempPath(), "Analytics"), path, StringComparison.Ordinal);
        Assert.EndsWith("analytics.db", path, StringComparison.Ordinal);
    }
}
