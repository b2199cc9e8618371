using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;

namespace Analytics.Sample;

/// <summary>
/// Plays another service, a billing service, that reports its payments as custom events over HTTP: every few seconds it
/// posts a batch to <c>POST /analytics/api/events</c> with its key from <c>RequestAnalytics:NamedIngestKeys</c> (else the
/// first of <c>RequestAnalytics:IngestKeys</c>) in <c>X-Analytics-Key</c>. Its second post and every sixth after that
/// is a batch with an empty event name, which the API rejects whole with a 400 — expected, so logged at Debug; any other answer is logged as a warning.
/// </summary>
internal sealed partial class DemoEventFeeder(
    IServer server,
    IHostApplicationLifetime lifetime,
    IOptions<RequestAnalyticsOptions> options,
    TimeProvider time,
    ILogger<DemoEventFeeder> logger) : BackgroundService
{
    /// <summary>The name of the events the feeder posts; the events it tracks in-process have other names.</summary>
    public const string EventName = "payment";

    private const int InvalidEvery = 6;
    private static readonly string[] Currencies = ["EUR", "EUR", "USD", "GBP"];
    private static readonly string[] Methods = ["card", "card", "card", "sepa", "paypal"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await DemoServer.LoopbackAddressAsync(server, lifetime, stoppingToken) is not { } address)
        {
            return;
        }

        using var client = new HttpClient
        {
            BaseAddress = new Uri(address, DemoServer.AnalyticsPrefix + "/api/"),
            Timeout = TimeSpan.FromSeconds(10),
        };
        // The named key makes the billing service a consumer of its own in the consumers panel; a plain key works too.
        var named = options.Value.NamedIngestKeys.Values.FirstOrDefault();
        if ((named ?? options.Value.IngestKeys.FirstOrDefault()) is { } key)
        {
            client.DefaultRequestHeaders.Add("X-Analytics-Key", key);
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(3), time);
        var posts = 0;
        do
        {
            var invalid = posts++ % InvalidEvery == 1;
            try
            {
                await PostAsync(client, invalid, stoppingToken);
            }
            catch (HttpRequestException ex)
            {
                LogPostFailed(logger, ex);
            }
            catch (TaskCanceledException ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogPostFailed(logger, ex); // the client's timeout
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task PostAsync(HttpClient client, bool invalid, CancellationToken cancellationToken)
    {
        var batch = Payments(Random.Shared.Next(invalid ? 2 : 1, 5)); // an invalid batch also holds good events, rejected with it
        if (invalid)
        {
            batch[^1] = batch[^1] with { Name = "" };
        }

        using var content = JsonContent.Create(batch, DemoJsonContext.Default.FedEventArray);
        using var response = await client.PostAsync("events", content, cancellationToken);
        var expected = invalid ? HttpStatusCode.BadRequest : HttpStatusCode.Accepted;
        if (response.StatusCode != expected)
        {
            LogUnexpectedAnswer(logger, (int)response.StatusCode, (int)expected, await BodyAsync(response, cancellationToken));
        }
        else if (invalid)
        {
            LogInvalidBatchRejected(logger, batch.Length, await BodyAsync(response, cancellationToken));
        }
    }

    private static FedEvent[] Payments(int count)
    {
        var random = Random.Shared;
        var batch = new FedEvent[count];
        for (var i = 0; i < count; i++)
        {
            var succeeded = random.Next(100) >= 8;
            batch[i] = new FedEvent(EventName)
            {
                UserId = $"u{random.Next(1, 501)}",
                Duration = Math.Round(80 + (random.NextDouble() * random.NextDouble() * 1_500), 1), // mostly quick, a long tail
                Success = succeeded,
                Properties = new FedPayment(
                    Math.Round((decimal)(5 + (random.NextDouble() * 240)), 2),
                    Currencies[random.Next(Currencies.Length)],
                    Methods[random.Next(Methods.Length)],
                    "billing-service"),
            };
        }

        return batch;
    }

    private static async Task<string> BodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return body.Length <= 500 ? body : body[..500] + "…";
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The demo feeder's invalid batch of {Count} events was answered 400, as expected: {Problem}")]
    private static partial void LogInvalidBatchRejected(ILogger logger, int count, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The demo feeder's post was answered {Status} where {Expected} was expected: {Body}")]
    private static partial void LogUnexpectedAnswer(ILogger logger, int status, int expected, string body);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The demo feeder's post failed")]
    private static partial void LogPostFailed(ILogger logger, Exception exception);
}

/// <summary>An event as the feeder posts it: the JSON shape <c>POST /analytics/api/events</c> takes.</summary>
internal sealed record FedEvent(string Name)
{
    public FedPayment? Properties { get; init; }

    public string? UserId { get; init; }

    /// <summary>Gets how long the payment took, in milliseconds.</summary>
    public double? Duration { get; init; }

    public bool? Success { get; init; }
}

/// <summary>The properties of a payment event.</summary>
internal sealed record FedPayment(decimal Amount, string Currency, string Method, string Service);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FedEvent[]))]
internal sealed partial class DemoJsonContext : JsonSerializerContext;
