namespace Analytics;

/// <summary>The environment and instance names stamped on every record, resolved once at start.</summary>
/// <param name="Environment">The environment name.</param>
/// <param name="Instance">The instance name.</param>
internal sealed record HostIdentity(string? Environment, string? Instance);
