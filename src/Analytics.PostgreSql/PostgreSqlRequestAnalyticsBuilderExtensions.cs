using Analytics;
using Analytics.PostgreSql;
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
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty or not a valid connection string, or <paramref name="schema"/> is not a valid name.</exception>
    public static IRequestAnalyticsBuilder UsePostgreSql(this IRequestAnalyticsBuilder builder, string connectionString, string schema = PostgreSqlAnalyticsStore.DefaultSchema)
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
    /// <param name="dataSource">The data source to open connections from.</param>
    /// <param name="schema">The schema for the tables: lower-case letters, digits and underscores. Defaults to <c>analytics</c>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is not a valid name.</exception>
    public static IRequestAnalyticsBuilder UsePostgreSql(this IRequestAnalyticsBuilder builder, NpgsqlDataSource dataSource, string schema = PostgreSqlAnalyticsStore.DefaultSchema)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        PostgreSqlAnalyticsStore.ValidateSchemaName(schema, nameof(schema));
        builder.Services.Replace(ServiceDescriptor.Singleton<IAnalyticsStore>(_ => new PostgreSqlAnalyticsStore(dataSource, ownsDataSource: false, schema)));
        return builder;
    }
}
