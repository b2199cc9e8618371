namespace Analytics.Queries;

// Placeholder of the consumers and releases reads while they are being built on a branch (issue 24); replaced there.
internal sealed partial class AnalyticsQueries
{
    public Task<IReadOnlyList<ConsumerStats>> GetConsumersAsync(AnalyticsQuery query, CancellationToken cancellationToken)
        => throw new NotSupportedException("Consumers are not answered yet.");

    public Task<IReadOnlyList<ReleaseStats>> GetReleasesAsync(AnalyticsQuery query, CancellationToken cancellationToken)
        => throw new NotSupportedException("Releases are not answered yet.");
}
