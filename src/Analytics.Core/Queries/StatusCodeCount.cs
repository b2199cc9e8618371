namespace Analytics;

/// <summary>How many responses had one status code.</summary>
public sealed record StatusCodeCount
{
    /// <summary>Gets the status code.</summary>
    public required int StatusCode { get; init; }

    /// <summary>Gets the number of responses.</summary>
    public required long Count { get; init; }
}
