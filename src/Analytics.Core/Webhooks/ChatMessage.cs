namespace Analytics.Webhooks;

/// <summary>
/// What a chat message says, before it is written for one service: read from the Standard Webhooks body of the message
/// (<see cref="ChatMessages.From"/>), so every format says the same thing. Texts are plain; each format escapes them.
/// </summary>
internal sealed record ChatMessage
{
    public required ChatTone Tone { get; init; }

    /// <summary>Gets the headline: what happened, to what.</summary>
    public required string Title { get; init; }

    /// <summary>Gets one or two sentences: for an alert, the value against the threshold over the window.</summary>
    public required string Summary { get; init; }

    /// <summary>Gets the details, in order: name and value, both short.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Facts { get; init; } = [];

    /// <summary>
    /// Gets the link to the dashboard's view of it, absolute or relative (see <see cref="DashboardLinks"/>), or
    /// <see langword="null"/>.
    /// </summary>
    public string? Link { get; init; }

    /// <summary>Gets whether <see cref="Link"/> is absolute: only then is it a link target in Slack, Teams and Discord.</summary>
    public bool LinkIsAbsolute { get; init; }

    /// <summary>Gets when it happened.</summary>
    public required DateTimeOffset Time { get; init; }
}

/// <summary>How a chat message is coloured and marked.</summary>
internal enum ChatTone
{
    /// <summary>An alert crossed its threshold: red.</summary>
    Triggered,

    /// <summary>An alert recovered: green.</summary>
    Resolved,

    /// <summary>A request failed, or a custom event reported a failure: orange.</summary>
    Failure,

    /// <summary>Anything else: blue.</summary>
    Info,
}
