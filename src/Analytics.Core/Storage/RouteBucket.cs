namespace Analytics.Storage;

/// <summary>The latest rollup bucket of one route and method with requests that match a query's filters.</summary>
/// <param name="Route">The route template.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="BucketStart">The start of the latest bucket with rows of that route and method.</param>
public sealed record RouteBucket(string Route, string Method, DateTimeOffset BucketStart);
