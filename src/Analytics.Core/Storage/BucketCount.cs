
namespace Analytics.Storage;

/// <summary>The requests of one rollup bucket, every route, method and status code added together.</summary>
/// <param name="BucketStart">The start of the bucket.</param>
/// <param name="Count">The requests in it that match the query's filters.</param>
public sealed record BucketCount(DateTimeOffset BucketStart, long Count);
