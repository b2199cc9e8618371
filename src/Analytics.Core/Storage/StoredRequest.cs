namespace Analytics.Storage;

/// <summary>A raw request as stored, with its id.</summary>
/// <param name="Id">The row id; ids increase with insertion order.</param>
/// <param name="Request">The request.</param>
public sealed record StoredRequest(long Id, RequestRecord Request);
