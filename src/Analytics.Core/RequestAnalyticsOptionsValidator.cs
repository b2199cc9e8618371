using Microsoft.Extensions.Options;

namespace Analytics;

/// <summary>Checks every option at start, so a bad value stops the host with a message naming the option.</summary>
internal sealed class RequestAnalyticsOptionsValidator : IValidateOptions<RequestAnalyticsOptions>
{
    internal const int MaxQueueCapacity = 16_777_216;

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
            builder.AddError($"must be between 1 and QueueCapacity ({options.QueueCapacity}); it is {options.BatchSize}.", Prefix + nameof(options.BatchSize));
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
        if (options.MaxStreamSubscribers is < 1 or > 10_000)
        {
            builder.AddError($"must be between 1 and 10000; it is {options.MaxStreamSubscribers}.", Prefix + nameof(options.MaxStreamSubscribers));
        }

        CheckRange(builder, options.MaxStreamDuration, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), Prefix + nameof(options.MaxStreamDuration));
        CheckRange(builder, options.StreamPingInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), Prefix + nameof(options.StreamPingInterval));

        if (options.EnvironmentName is { Length: > 100 })
        {
            builder.AddError("must be at most 100 characters.", Prefix + nameof(options.EnvironmentName));
        }

        if (options.InstanceName is { Length: > 100 })
        {
            builder.AddError("must be at most 100 characters.", Prefix + nameof(options.InstanceName));
        }

        return builder.Build();
    }

    private static void CheckRange(ValidateOptionsResultBuilder builder, TimeSpan value, TimeSpan min, TimeSpan max, string option)
    {
        if (value < min || value > max)
        {
            builder.AddError($"must be between {min} and {max}; it is {value}.", option);
        }
    }
}
