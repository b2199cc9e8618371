using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Analytics.Webhooks;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.AspNetCore.Tests.Endpoints.Webhooks;

/// <summary>
/// A host with one declared webhook subscription, <c>ops</c>, and the calls the webhook tests make on it: queue a test
/// message, read the deliveries log, read the outbox.
/// </summary>
internal static class WebhookTestApp
{
    /// <summary>The secret of subscription <c>ops</c>, to verify what the receiver got.</summary>
    public static readonly string Secret = WebhookSecret.Generate();

    // Every delay shrunk so that a test sees several deliveries in well under a second or two.
    public static readonly WebhookDeliveryPolicy FastPolicy = new()
    {
        QuickDelay = TimeSpan.FromMilliseconds(10),
        Schedule = [.. Enumerable.Repeat(TimeSpan.FromMilliseconds(200), 40)],
        PollInterval = TimeSpan.FromMilliseconds(50),
        AttemptTimeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>
    /// Starts <see cref="EndpointTestApp"/> with subscription <c>ops</c> to <paramref name="url"/>, signed with
    /// <see cref="Secret"/>, and the <see cref="FastPolicy"/> unless another is given.
    /// </summary>
    public static Task<AnalyticsTestHost> StartAsync(
        string url, string[] eventTypes, string[]? eventNames = null, WebhookDeliveryPolicy? policy = null, string? databasePath = null) =>
        EndpointTestApp.StartAsync(
            o =>
            {
                o.FlushInterval = TimeSpan.FromMilliseconds(50);
                o.Webhooks.AllowPrivateNetworks = true; // the receiver is on 127.0.0.1
                var subscription = new WebhookSubscriptionOptions { Id = "ops", Url = url };
                foreach (var type in eventTypes)
                {
                    subscription.EventTypes.Add(type);
                }

                foreach (var name in eventNames ?? [])
                {
                    subscription.EventNames.Add(name);
                }

                subscription.Secrets.Add(Secret);
                o.Webhooks.Subscriptions.Add(subscription);
            },
            configureBuilder: b => b.Services.AddSingleton(policy ?? FastPolicy),
            databasePath: databasePath);

    /// <summary>A <c>{}</c> JSON body, for the posts that take none.</summary>
    public static StringContent EmptyJson() => new("{}", System.Text.Encoding.UTF8, "application/json");

    /// <summary>Queues a test message to <paramref name="subscription"/> through the API; returns its id.</summary>
    public static async Task<string> SendTestAsync(AnalyticsTestHost host, string subscription = "ops")
    {
        var response = await host.Client.PostAsync($"/analytics/api/webhooks/{subscription}/test", EmptyJson());
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageId").GetString()!;
    }

    /// <summary>The deliveries log of <paramref name="subscription"/>, from the API.</summary>
    public static async Task<JsonElement[]> DeliveriesAsync(AnalyticsTestHost host, string subscription = "ops")
    {
        var page = await host.Client.GetFromJsonAsync<JsonElement>($"/analytics/api/webhooks/{subscription}/deliveries?limit=100");
        return [.. page.GetProperty("items").EnumerateArray()];
    }

    /// <summary>The event types of the messages in the SQLite outbox, read from the file.</summary>
    public static string[] OutboxTypes(string databasePath)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT event_type FROM webhook_outbox ORDER BY event_type;";
        using var reader = command.ExecuteReader();
        var types = new List<string>();
        while (reader.Read())
        {
            types.Add(reader.GetString(0));
        }

        return [.. types];
    }
}
