using Analytics;
using Analytics.Sqlite;
using Analytics.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses the SQLite store for request analytics.</summary>
public static class SqliteRequestAnalyticsBuilderExtensions
{
    /// <summary>
    /// Stores analytics in an SQLite file. A relative path is resolved against the host's content root; the folder is
    /// created when missing. One file belongs to one process: apps on several instances need a shared store instead.
    /// </summary>
    /// <param name="builder">The analytics builder.</param>
    /// <param name="path">The database file, for example <c>data/analytics.db</c>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public static IRequestAnalyticsBuilder UseSqlite(this IRequestAnalyticsBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (path.AsSpan().IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            throw new ArgumentException($"The SQLite path '{path}' holds characters that are not valid in a path.", nameof(path));
        }

        builder.Services.Replace(ServiceDescriptor.Singleton<IAnalyticsStore>(sp => Create(sp, path)));
        return builder;
    }

    /// <summary>Registers the default store (<see cref="SqliteDefaultLocation"/>) unless another was chosen.</summary>
    internal static void TryAddDefault(IServiceCollection services) =>
        services.TryAddSingleton<IAnalyticsStore>(sp =>
        {
            var environment = sp.GetService<IHostEnvironment>();
            var path = SqliteDefaultLocation.Choose(environment?.ApplicationName, environment?.ContentRootPath ?? AppContext.BaseDirectory);
            var logger = Logger(sp);
            SqliteDefaultLocation.Log.DefaultDatabase(logger, path);
            return new SqliteAnalyticsStore(path, logger);
        });

    private static SqliteAnalyticsStore Create(IServiceProvider services, string path)
    {
        var root = services.GetService<IHostEnvironment>()?.ContentRootPath ?? AppContext.BaseDirectory;
        return new SqliteAnalyticsStore(Path.IsPathRooted(path) ? path : Path.Combine(root, path), Logger(services));
    }

    private static ILogger Logger(IServiceProvider services) =>
        services.GetService<ILoggerFactory>()?.CreateLogger("Analytics.Sqlite") ?? NullLogger.Instance;
}
