using Analytics;
using Analytics.PostgreSql;
using Analytics.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses the PostgreSQL store for request analytics: one database shared by every instance of an app.</summary>
public static class PostgreSqlRequestAnalyticsBuilderExtensions
{
    /// <summary>
    /// Stores analytics in a PostgreSQL database that every instance of the app writes to and reads from, so that each
    /// shows the numbers of all. The tables live in their own schema, created (and migrated) at the first use.
    /// </summary>
    /// <param name="builder">The analytics builder.</param>
    /// <param name="connectionString">An Npgsql connection string, for example <c>Host=db;Database=app;Username=app;Password=…</c>.</param>
    /// <param name="schema">The schema for the tables: lower-case letters, digits and underscores. Defaults to <c>analytics</c>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="connectionString"/> is empty or not a valid connection string, or <paramref name="schema"/> is
    /// not a valid name.
    /// </exception>
    public static IRequestAnalyticsBuilder UsePostgreSql(
        this IRequestAnalyticsBuilder builder,
        string connectionString,
        string schema = PostgreSqlAnalyticsStore.DefaultSchema)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
        {
            throw new ArgumentException($"The PostgreSQL connection string is not valid: {ex.Message}", nameof(connectionString), ex);
        }

        PostgreSqlAnalyticsStore.ValidateSchemaName(schema, nameof(schema));
        builder.Services.Replace(ServiceDescriptor.Singleton<IAnalyticsStore>(
            _ => new PostgreSqlAnalyticsStore(NpgsqlDataSource.Create(connectionString), ownsDataSource: true, schema)));
        return builder;
    }

    /// <summary>
    /// Stores analytics in the PostgreSQL database of <paramref name="dataSource"/>, which the app keeps (and disposes).
    /// Use it to share a data source the app already configured, with its logging, authentication or pool settings.
    /// </summary>
    /// <param name="builder">The analytics builder.</param>
    /// <param name="dataSource">The data source to open connections from. The store never disposes it.</param>
    /// <param name="schema">The schema for the tables: lower-case letters, digits and underscores. Defaults to <c>analytics</c>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is not a valid name.</exception>
    public static IRequestAnalyticsBuilder UsePostgreSql(
        this IRequestAnalyticsBuilder builder,
        NpgsqlDataSource dataSource,
        string schema = PostgreSqlAnalyticsStore.DefaultSchema)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        PostgreSqlAnalyticsStore.ValidateSchemaName(schema, nameof(schema));
        builder.Services.Replace(ServiceDescriptor.Singleton<IAnalyticsStore>(
            _ => new PostgreSqlAnalyticsStore(dataSource, ownsDataSource: false, schema)));
        return builder;
    }

    /// <summary>
    /// Stores analytics in the PostgreSQL database of the <see cref="NpgsqlDataSource"/> registered in the app's services,
    /// for example by <c>builder.Services.AddNpgsqlDataSource(connectionString)</c> (package Npgsql.DependencyInjection).
    /// The tables go to the schema <c>analytics</c>; the container keeps (and disposes) the data source.
    /// </summary>
    /// <param name="builder">The analytics builder.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>
    /// The data source is taken when the store is first needed, at the host's start, so it may be registered before or
    /// after this call. When none is registered, the start fails with an <see cref="InvalidOperationException"/> saying
    /// what to register or call instead. For a keyed data source or another schema, use
    /// <see cref="UsePostgreSql(IRequestAnalyticsBuilder, Func{IServiceProvider, NpgsqlDataSource}, string)"/>.
    /// </remarks>
    public static IRequestAnalyticsBuilder UsePostgreSql(this IRequestAnalyticsBuilder builder) =>
        UsePostgreSql(builder, static services => services.GetService<NpgsqlDataSource>() ?? throw new InvalidOperationException(
            "UsePostgreSql() stores analytics through the NpgsqlDataSource registered in the app's services, and none is registered. " +
            "Register one, for example with builder.Services.AddNpgsqlDataSource(connectionString) from the package Npgsql.DependencyInjection, " +
            "or call UsePostgreSql(connectionString) or UsePostgreSql(dataSource) instead. " +
            "For a keyed data source, call UsePostgreSql(services => services.GetRequiredKeyedService<NpgsqlDataSource>(key))."));

    /// <summary>
    /// Stores analytics in the PostgreSQL database of the data source that <paramref name="dataSourceFactory"/> returns
    /// from the app's services, for example <c>services =&gt; services.GetRequiredKeyedService&lt;NpgsqlDataSource&gt;("analytics")</c>.
    /// The app (or its container) keeps and disposes the data source.
    /// </summary>
    /// <param name="builder">The analytics builder.</param>
    /// <param name="dataSourceFactory">Returns the data source to open connections from; called once, when the store is first needed.</param>
    /// <param name="schema">The schema for the tables: lower-case letters, digits and underscores. Defaults to <c>analytics</c>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dataSourceFactory"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is not a valid name.</exception>
    public static IRequestAnalyticsBuilder UsePostgreSql(
        this IRequestAnalyticsBuilder builder,
        Func<IServiceProvider, NpgsqlDataSource> dataSourceFactory,
        string schema = PostgreSqlAnalyticsStore.DefaultSchema)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSourceFactory);
        PostgreSqlAnalyticsStore.ValidateSchemaName(schema, nameof(schema));
        builder.Services.Replace(ServiceDescriptor.Singleton<IAnalyticsStore>(services =>
        {
            var dataSource = dataSourceFactory(services) ?? throw new InvalidOperationException(
                "The function given to UsePostgreSql returned no NpgsqlDataSource. Return the app's data source, for example " +
                "services => services.GetRequiredService<NpgsqlDataSource>(), or call UsePostgreSql(connectionString) instead.");
            return new PostgreSqlAnalyticsStore(dataSource, ownsDataSource: false, schema);
        }));
        return builder;
    }
}
