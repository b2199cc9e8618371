namespace Analytics;

/// <summary>Where a webhook subscription or an alert rule was defined.</summary>
public enum DefinitionSource
{
    /// <summary>Created through the HTTP API; it can be changed and deleted there.</summary>
    Api,

    /// <summary>Declared in <see cref="RequestAnalyticsOptions"/>; read-only through the HTTP API, changed in configuration.</summary>
    Options,
}
