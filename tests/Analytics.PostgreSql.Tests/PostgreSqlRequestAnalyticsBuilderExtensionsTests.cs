using Analytics.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Analytics.PostgreSql.Tests;

/// <summary>
/// <c>UsePostgreSql</c>: what it refuses at registration, and the store on a data source the app owns: given directly,
/// taken from the app's services, or picked from them by a function. Each host runs in a database of its own, which only
/// the given data source reaches.
/// </summary>
public sealed class PostgreSqlRequestAnalyticsBuilderExtensionsTests
{
    [Theory]
    [InlineData("given", "analytics")]
    [InlineData("registered", "analytics")]
    [InlineData("picked", "orders_analytics")]
    public async Task AHostRecordsAndReadsBackThroughTheAppsDataSourceAndLeavesItOpen(string how, string schema)
    {
        var (database, connectionString) = await PostgresDatabase.CreateDatabaseAsync();
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            await using (var app = await StartAsync(builder =>
            {
                var analytics = builder.Services.AddRequestAnalytics(o => o.FlushInterval = TimeSpan.FromMilliseconds(50));
                switch (how)
                {
                    case "given":
                        analytics.UsePostgreSql(dataSource);
                        break;
                    case "registered":
                        analytics.UsePostgreSql(); // before the registration: the data source is taken at the start
                        builder.Services.AddSingleton(dataSource); // as AddNpgsqlDataSource (Npgsql.DependencyInjection) does
                        break;
                    default:
                        builder.Services.AddKeyedSingleton("analytics", dataSource);
                        analytics.UsePostgreSql(services => services.GetRequiredKeyedService<NpgsqlDataSource>("analytics"), schema);
                        break;
                }
            }))
            {
                using var client = new HttpClient { BaseAddress = new Uri(Address(app)) };
                Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/items/7")).StatusCode);
                await app.Services.GetRequiredService<IAnalyticsPipeline>().FlushAsync(default);

                var stored = await app.Services.GetRequiredService<IAnalyticsStore>().ReadRequestsAsync(new RawQuery(), default);
                Assert.Equal("/items/7", Assert.Single(stored).Request.Path);
                var overview = await app.Services.GetRequiredService<IAnalyticsQueries>().GetOverviewAsync(
                    new AnalyticsQuery { From = DateTimeOffset.UtcNow.AddHours(-1), To = DateTimeOffset.UtcNow.AddMinutes(1) }, default);
                Assert.Equal(1, overview.TotalRequests);
            }

            // The row is in the schema asked for, in the database only this data source reaches; and the store, stopped
            // and disposed with the host, did not dispose a data source it does not own.
            await using var command = dataSource.CreateCommand($"SELECT count(*) FROM \"{schema}\".requests;");
            Assert.Equal(1L, await command.ExecuteScalarAsync());
        }
        finally
        {
            await PostgresDatabase.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task WithNoDataSourceRegisteredTheStartFailsSayingWhatToCall()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var app = await StartAsync(builder => builder.Services.AddRequestAnalytics().UsePostgreSql());
        });

        Assert.Contains("NpgsqlDataSource", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddNpgsqlDataSource(connectionString)", error.Message, StringComparison.Ordinal);
        Assert.Contains("UsePostgreSql(connectionString)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFunctionThatReturnsNoDataSourceFailsTheStartSayingSo()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var app = await StartAsync(builder => builder.Services.AddRequestAnalytics().UsePostgreSql(_ => null!));
        });

        Assert.Contains("returned no NpgsqlDataSource", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoDataSourceOrFunctionFailsAtRegistrationNamingIt()
    {
        var builder = new ServiceCollection().AddRequestAnalytics();

        Assert.Equal("dataSource", Assert.Throws<ArgumentNullException>(() => builder.UsePostgreSql((NpgsqlDataSource)null!)).ParamName);
        Assert.Equal("dataSourceFactory", Assert.Throws<ArgumentNullException>(() => builder.UsePostgreSql((Func<IServiceProvider, NpgsqlDataSource>)null!)).ParamName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Analytics")]
    [InlineData("1st")]
    [InlineData("a-b")]
    [InlineData("a\"; DROP TABLE x; --")]
    [InlineData("abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd")]
    public void ABadSchemaNameFailsAtRegistrationNamingIt(string schema)
    {
        var services = new ServiceCollection();
        var builder = services.AddRequestAnalytics();

        var error = Assert.Throws<ArgumentException>(() => builder.UsePostgreSql("Host=localhost", schema));
        Assert.Equal("schema", error.ParamName);
        error = Assert.Throws<ArgumentException>(() => builder.UsePostgreSql(Npgsql.NpgsqlDataSource.Create("Host=localhost"), schema));
        Assert.Equal("schema", error.ParamName);
        error = Assert.Throws<ArgumentException>(() => builder.UsePostgreSql(services => services.GetRequiredService<Npgsql.NpgsqlDataSource>(), schema));
        Assert.Equal("schema", error.ParamName);
    }

    [Theory]
    [InlineData(" ")]
    [InlineData("Host=localhost;NoSuchKeyword=1")]
    [InlineData("Host=localhost;Port=notanumber")]
    [InlineData("this is not a connection string")]
    public void ABadConnectionStringFailsAtRegistrationNamingIt(string connectionString)
    {
        var builder = new ServiceCollection().AddRequestAnalytics();

        var error = Assert.ThrowsAny<ArgumentException>(() => builder.UsePostgreSql(connectionString));

        Assert.Equal("connectionString", error.ParamName);
    }

    [Fact]
    public void UsePostgreSqlReplacesTheDefaultStore()
    {
        var services = new ServiceCollection();
        services.AddRequestAnalytics().UsePostgreSql(PostgresDatabase.ConnectionString, PostgresDatabase.NewSchema());

        Assert.Single(services, d => d.ServiceType == typeof(IAnalyticsStore));
        using var provider = services.BuildServiceProvider();
        Assert.IsType<PostgreSqlAnalyticsStore>(provider.GetRequiredService<IAnalyticsStore>());
    }

    private static async Task<WebApplication> StartAsync(Action<WebApplicationBuilder> configure)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        configure(builder);
        var app = builder.Build();
        app.UseRequestAnalytics();
        app.MapGet("/items/{id:int}", (int id) => Results.Ok(new { id }));
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
}
