using Analytics.Alerts;
using Analytics.Webhooks;
using Microsoft.Extensions.Options;

namespace Analytics;

/// <summary>Checks every option at start, so a bad value stops the host with a message naming the option.</summary>
internal sealed partial class RequestAnalyticsOptionsValidator : IValidateOptions<RequestAnalyticsOptions>
{
    internal const int MaxQueueCapacity = 16_777_216;
    internal const long MinStreamBufferBytes = 64 * 1024;
    internal const long MaxStreamBufferBytes = 1024 * 1024 * 1024;
    internal const long MaxStreamTotalBufferBytes = 16L * 1024 * 1024 * 1024;

    public ValidateOptionsResult Validate(string? name, RequestAnalyticsOptions options)
    {
        var builder = new ValidateOptionsResultBuilder();
        const string Prefix = RequestAnalyticsDefaults.ConfigurationSection + ":";

        if (options.QueueCapacity is < 1 or > MaxQueueCapacity)
        {
            builder.AddError($"must be between 1 and {MaxQueueCapacity}; it is {options.QueueCapacity}.", Prefix + nameof(options.QueueCapacity));
        }

        if (options.BatchSize < 1 || options.BatchSize > options.QueueCapacity)
        {
            builder.AddError(
                $"must be between 1 and QueueCapacity ({options.QueueCapacity}); it is {options.BatchSize}.",
                Prefix + nameof(options.BatchSize));
        }

        CheckRange(builder, options.FlushInterval, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1), Prefix + nameof(options.FlushInterval));

        if (!(options.RawSampleRate is >= 0 and <= 1))
        {
            builder.AddError($"must be between 0 and 1; it is {options.RawSampleRate}.", Prefix + nameof(options.RawSampleRate));
        }

        for (var i = 0; i < options.ExcludePaths.Count; i++)
        {
            var path = options.ExcludePaths[i];
            if (string.IsNullOrEmpty(path) || path[0] != '/')
            {
                builder.AddError($"must start with '/'; item {i} is '{path}'.", Prefix + nameof(options.ExcludePaths));
            }
        }

        for (var i = 0; i < options.UserIdClaim.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.UserIdClaim[i]))
            {
                builder.AddError($"must not hold empty claim types; item {i} is empty.", Prefix + nameof(options.UserIdClaim));
            }
        }

        for (var i = 0; i < options.IngestKeys.Count; i++)
        {
            // A short key is guessable; 16 characters is the floor of a random token worth the name.
            if (options.IngestKeys[i] is not { Length: >= 16 })
            {
                builder.AddError($"must be at least 16 characters long; item {i} is shorter.", Prefix + nameof(options.IngestKeys));
            }
        }

        var retention = Prefix + nameof(options.Retention) + ":";
        CheckRange(builder, options.Retention.Raw, TimeSpan.FromMinutes(1), TimeSpan.FromDays(3650), retention + nameof(RetentionOptions.Raw));
        CheckRange(builder, options.Retention.Minute, TimeSpan.FromMinutes(1), TimeSpan.FromDays(3650), retention + nameof(RetentionOptions.Minute));
        CheckRange(builder, options.Retention.Hour, TimeSpan.FromHours(1), TimeSpan.FromDays(3650), retention + nameof(RetentionOptions.Hour));
        CheckRange(builder, options.Retention.Day, TimeSpan.FromDays(1), TimeSpan.FromDays(3650), retention + nameof(RetentionOptions.Day));

        CheckRange(builder, options.StatsInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), Prefix + nameof(options.StatsInterval));
        CheckRange(builder, options.HealthInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), Prefix + nameof(options.HealthInterval));
        if (options.MaxStreamSubscribers is < 1 or > 10_000)
        {
            builder.AddError($"must be between 1 and 10000; it is {options.MaxStreamSubscribers}.", Prefix + nameof(options.MaxStreamSubscribers));
        }

        if (options.MaxStreamBufferBytes is < MinStreamBufferBytes or > MaxStreamBufferBytes)
        {
            builder.AddError(
                $"must be between {MinStreamBufferBytes} and {MaxStreamBufferBytes}; it is {options.MaxStreamBufferBytes}.",
                Prefix + nameof(options.MaxStreamBufferBytes));
        }

        if (options.MaxStreamTotalBufferBytes < options.MaxStreamBufferBytes || options.MaxStreamTotalBufferBytes > MaxStreamTotalBufferBytes)
        {
            builder.AddError(
                $"must be between MaxStreamBufferBytes ({options.MaxStreamBufferBytes}) and {MaxStreamTotalBufferBytes}; " +
                $"it is {options.MaxStreamTotalBufferBytes}.",
                Prefix + nameof(options.MaxStreamTotalBufferBytes));
        }

        CheckRange(builder, options.MaxStreamDuration, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), Prefix + nameof(options.MaxStreamDuration));
        CheckRange(builder, options.StreamPingInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), Prefix + nameof(options.StreamPingInterval));

        ValidateWebhooks(builder, options.Webhooks, Prefix + nameof(options.Webhooks) + ":");
        ValidateAlerts(builder, options, Prefix);

        if (options.EnvironmentName is { Length: > 100 })
        {
            builder.AddError("must be at most 100 characters.", Prefix + nameof(options.EnvironmentName));
        }

        if (options.InstanceName is { Length: > 100 })
        {
            builder.AddError("must be at most 100 characters.", Prefix + nameof(options.InstanceName));
        }

        ValidateConsumers(builder, options, Prefix);
        ValidateServiceLevels(builder, options, Prefix);
        ValidateUptime(builder, options, Prefix);
        ValidateAlertFormats(builder, options, Prefix);

        return builder.Build();
    }

    // Issue 25's options, each checked in a file of its own (RequestAnalyticsOptionsValidator.*.cs).
    static partial void ValidateServiceLevels(ValidateOptionsResultBuilder builder, RequestAnalyticsOptions options, string prefix);

    static partial void ValidateUptime(ValidateOptionsResultBuilder builder, RequestAnalyticsOptions options, string prefix);

    static partial void ValidateAlertFormats(ValidateOptionsResultBuilder builder, RequestAnalyticsOptions options, string prefix);

    private static void ValidateWebhooks(ValidateOptionsResultBuilder builder, WebhookOptions webhooks, string prefix)
    {
        if (webhooks.MaxRequestFailedPerMinute is < 1 or > 100_000)
        {
            builder.AddError(
                $"must be between 1 and 100000; it is {webhooks.MaxRequestFailedPerMinute}.",
                prefix + nameof(webhooks.MaxRequestFailedPerMinute));
        }

        if (webhooks.MaxConcurrentDeliveriesPerSubscription is < 1 or > 1_000)
        {
            builder.AddError(
                $"must be between 1 and 1000; it is {webhooks.MaxConcurrentDeliveriesPerSubscription}.",
                prefix + nameof(webhooks.MaxConcurrentDeliveriesPerSubscription));
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < webhooks.Subscriptions.Count; i++)
        {
            var s = webhooks.Subscriptions[i];
            var path = $"{prefix}{nameof(webhooks.Subscriptions)}:{i}:";
            void Error(string field, string message) => builder.AddError(message, path + ToOptionPath(field));
            CheckId(s.Id, ids, Error);
            DefinitionChecks.CheckSubscription(s.Url, [.. s.EventTypes], [.. s.EventNames], webhooks.AllowPrivateNetworks, Error);
            DefinitionChecks.CheckFormat(s.Format, Error);
            if (WebhookBodies.IsSigned(s.Format))
            {
                DefinitionChecks.CheckSecrets([.. s.Secrets], Error);
            }
            else if (s.Secrets.Count > 0)
            {
                Error("secrets", $"must be empty: {s.Format.ToString().ToLowerInvariant()} messages are not signed.");
            }
        }
    }

    private static void ValidateAlerts(ValidateOptionsResultBuilder builder, RequestAnalyticsOptions options, string prefix)
    {
        CheckRange(builder, options.AlertInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), prefix + nameof(options.AlertInterval));
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var slos = SloNames(options);
        for (var i = 0; i < options.Alerts.Count; i++)
        {
            var rule = options.Alerts[i];
            var path = $"{prefix}{nameof(options.Alerts)}:{i}:";
            void Error(string field, string message) => builder.AddError(message, path + ToOptionPath(field));
            CheckId(rule.Id, ids, Error);
            if (rule.Id is not null)
            {
                DefinitionChecks.CheckRule(AlertEvaluator.ToRule(rule), slos, Error);
            }
        }
    }

    private static void CheckId(string? id, HashSet<string> seen, Action<string, string> error)
    {
        if (!DefinitionChecks.IsValidId(id))
        {
            error("id", $"must be 1 to {DefinitionChecks.MaxIdLength} letters, digits, '-', '_' or '.'; it is '{id}'.");
        }
        else if (!seen.Add(id!))
        {
            error("id", $"'{id}' is used twice.");
        }
    }

    /// <summary>Turns an API field name (<c>eventTypes[1]</c>) into a configuration path (<c>EventTypes:1</c>).</summary>
    internal static string ToOptionPath(string field)
    {
        var path = field.Replace("[", ":", StringComparison.Ordinal).Replace("]", string.Empty, StringComparison.Ordinal);
        return char.ToUpperInvariant(path[0]) + path[1..];
    }

    private static void ValidateConsumers(ValidateOptionsResultBuilder builder, RequestAnalyticsOptions options, string prefix)
    {
        if (options.MaxConsumersPerBucket is < 1 or > 100_000)
        {
            builder.AddError("must be between 1 and 100 000.", prefix + nameof(options.MaxConsumersPerBucket));
        }

        if (options.ConsumerHeader is { } header && (string.IsNullOrWhiteSpace(header) || header.Any(c => c <= ' ' || c >= 127 || c == ':')))
        {
            builder.AddError("must be an HTTP header name (visible ASCII, no spaces or colons).", prefix + nameof(options.ConsumerHeader));
        }

        if (options.ConsumerClaim is { } claim && string.IsNullOrWhiteSpace(claim))
        {
            builder.AddError("must not be empty; leave it unset for none.", prefix + nameof(options.ConsumerClaim));
        }

        if (options.Release is { } release
            && (string.IsNullOrWhiteSpace(release) || release.Length > RequestAnalyticsDefaults.MaxReleaseLength || release.Any(char.IsControl)))
        {
            builder.AddError("must be 1 to 100 characters without control characters.", prefix + nameof(options.Release));
        }

        var keys = new HashSet<string>(options.IngestKeys, StringComparer.Ordinal);
        foreach (var (consumer, key) in options.NamedIngestKeys)
        {
            var option = prefix + nameof(options.NamedIngestKeys) + ":" + consumer;
            if (string.IsNullOrWhiteSpace(consumer) || consumer.Length > RequestAnalyticsDefaults.MaxConsumerLength || consumer.Any(char.IsControl))
            {
                builder.AddError("the consumer name must be 1 to 100 characters without control characters.", option);
            }

            if (key is not { Length: >= 16 })
            {
                builder.AddError("must be at least 16 characters long.", option);
            }
            else if (!keys.Add(key))
            {
                builder.AddError("is the same key as another ingest key; each key names one consumer.", option);
            }
        }
    }

    private static void CheckRange(ValidateOptionsResultBuilder builder, TimeSpan value, TimeSpan min, TimeSpan max, string option)
    {
        if (value < min || value > max)
        {
            builder.AddError($"must be between {min} and {max}; it is {value}.", option);
        }
    }
}
