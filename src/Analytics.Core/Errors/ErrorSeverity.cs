namespace Analytics;

/// <summary>How serious a group of failed requests is; see <see cref="RequestAnalyticsOptions.ClassifyError"/>.</summary>
public enum ErrorSeverity
{
    /// <summary>Worth knowing, not worth waking anyone.</summary>
    Low = 0,

    /// <summary>The default for a 5xx response without an exception: the app answered, but failed.</summary>
    Medium = 1,

    /// <summary>The default for an unhandled exception: the app did not answer on its own.</summary>
    High = 2,
}
