using Analytics.Sql;
using Analytics.Storage;

namespace Analytics.PostgreSql;

/// <summary>
/// Consumers and releases (issue 24, migration 008): the raw rows' <c>release</c> and <c>consumer</c>, the request
/// rollups' <c>release</c> key and <c>consumers</c> sketch, and the per-consumer rollups in <c>consumer_rollups</c>.
/// The columns are selected in the order of the shared <see cref="StoreRows"/> readers, which both SQL stores use.
/// </summary>
internal sealed partial class PostgreSqlAnalyticsStore : IConsumerRollupStore
{
    /// <summary><see cref="StoreRows.RequestColumns"/>, then <see cref="StoreRows.ConsumerReleaseColumns"/>.</summary>
    internal const string RequestColumns = StoreRows.RequestColumns + ", " + StoreRows.ConsumerReleaseColumns;

    /// <summary><see cref="StoreRows.EventColumns"/>, then <see cref="StoreRows.ConsumerReleaseColumns"/>.</summary>
    internal const string EventColumns = StoreRows.EventColumns + ", " + StoreRows.ConsumerReleaseColumns;

    private SketchStatements? _consumerRollupStatements;

    // The per-consumer rollups: the request rollups' key and consumer; no consumers sketch (it would count one). Built
    // when first used: static initializers of different parts of a partial class run in no defined order.
    private SketchStatements ConsumerRollupStatements => _consumerRollupStatements ??= SketchStatements.For(
        RequestRollupTable with
        {
            Name = "consumer_rollups",
            Keys = [.. RequestRollupTable.Keys, ("consumer", "text")],
            Sketches = ["latency", "users", "clients"],
        },
        S);

    public IAsyncEnumerable<RequestRollup> ReadConsumerRollupsAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        string latency = query.IncludeSketches ? "latency" : "NULL::bytea";
        string cardinality = query.IncludeCardinality ? "users, clients" : "NULL::bytea, NULL::bytea";
        return ReadRollupsAsync(
            $"SELECT {StoreRows.RequestRollupColumns}, {latency}, {cardinality}, NULL::bytea, release, consumer FROM {S}.consumer_rollups",
            query, RollupFilters.Consumers, StoreRows.ReadRequestRollup, cancellationToken);
    }
}
