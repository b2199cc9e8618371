using System.Text.Json;
using Analytics.Storage;
using Analytics.Webhooks;

namespace Analytics.Tests.Webhooks;

public class WebhookPayloadsTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 22, 10, 30, 0, TimeSpan.Zero);

    [Fact]
    public void ARequestFailedMessageCarriesTheRequest()
    {
        var request = new RequestRecord
        {
            Timestamp = Time,
            Method = "POST",
            Route = "/orders/{id}",
            Path = "/orders/7",
            StatusCode = 503,
            Duration = TimeSpan.FromMilliseconds(12.5),
            ExceptionType = "System.TimeoutException",
            ExceptionMessage = "The \"db\" timed out",
            TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
        };

        using var json = JsonDocument.Parse(WebhookPayloads.RequestFailed(request));
        var root = json.RootElement;
        var data = root.GetProperty("data");

        Assert.Equal("request.failed", root.GetProperty("type").GetString());
        Assert.Equal(Time, root.GetProperty("timestamp").GetDateTimeOffset());
        Assert.Equal("/orders/{id}", data.GetProperty("route").GetString());
        Assert.Equal(503, data.GetProperty("statusCode").GetInt32());
        Assert.Equal(12.5, data.GetProperty("duration").GetDouble());
        Assert.Equal("The \"db\" timed out", data.GetProperty("exceptionMessage").GetString());
        Assert.False(data.TryGetProperty("userId", out _)); // absent, not null
    }

    [Fact]
    public void AnEventTrackedMessageKeepsThePropertiesAsJson()
    {
        var e = new EventRecord { Timestamp = Time, Name = "deploy", PropertiesJson = "{\"version\":\"1.2.3\",\"ok\":true}", Success = true };

        using var json = JsonDocument.Parse(WebhookPayloads.EventTracked(e));
        var data = json.RootElement.GetProperty("data");

        Assert.Equal("event.tracked", json.RootElement.GetProperty("type").GetString());
        Assert.Equal("1.2.3", data.GetProperty("properties").GetProperty("version").GetString());
        Assert.True(data.GetProperty("success").GetBoolean());
    }

    [Fact]
    public void ATestMessageNamesItsSubscription()
    {
        using var json = JsonDocument.Parse(WebhookPayloads.Test("wh_1", Time));

        Assert.Equal("webhook.test", json.RootElement.GetProperty("type").GetString());
        Assert.Equal("wh_1", json.RootElement.GetProperty("data").GetProperty("subscriptionId").GetString());
    }
}
