using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Analytics.Testing;
using Analytics.Webhooks;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.AspNetCore.Tests.Endpoints.Webhooks;

public class WebhooksApiTests
{
    private static Task<AnalyticsTestHost> StartAsync(bool allowPrivate = false) => EndpointTestApp.StartAsync(
        o =>
        {
            o.FlushInterval = TimeSpan.FromMilliseconds(50);
            o.Webhooks.AllowPrivateNetworks = allowPrivate;
            var declared = new WebhookSubscriptionOptions { Id = "declared", Url = "https://hooks.example.com/declared" };
            declared.EventTypes.Add(WebhookEventTypes.AlertTriggered);
            declared.Secrets.Add(WebhookSecret.Generate());
            o.Webhooks.Subscriptions.Add(declared);
        },
        configureBuilder: b => b.Services.AddSingleton(WebhookTestApp.FastPolicy));

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Emoji(int count) => string.Concat(Enumerable.Repeat("\U0001F600", count));

    private static async Task<JsonElement> ErrorsOf(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
    }

    [Fact]
    public async Task ASubscriptionIsCreatedWithASecretShownOnlyOnce()
    {
        await using var host = await StartAsync();

        var created = await host.Client.PostAsync("/analytics/api/webhooks", Json("""{"url":"https://hooks.example.com/a","eventTypes":["request.failed","event.tracked"],"eventNames":["deploy"]}"""));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("id").GetString()!;
        var secret = body.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret);
        Assert.Equal($"/analytics/api/webhooks/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal("api", body.GetProperty("source").GetString());
        Assert.Equal(1, body.GetProperty("activeSecrets").GetInt32());

        var one = await host.Client.GetStringAsync($"/analytics/api/webhooks/{id}");
        var all = await host.Client.GetStringAsync("/analytics/api/webhooks");
        Assert.DoesNotContain(secret, one);
        Assert.DoesNotContain(secret, all);
        Assert.DoesNotContain("secret\"", one);
        Assert.Equal(["declared", id], JsonDocument.Parse(all).RootElement.EnumerateArray().Select(s => s.GetProperty("id").GetString()).Order());
    }

    [Fact]
    public async Task AGivenSecretIsKept()
    {
        await using var host = await StartAsync();
        var secret = WebhookSecret.Generate();

        var created = await host.Client.PostAsync("/analytics/api/webhooks", Json($$"""{"url":"https://hooks.example.com/a","eventTypes":["webhook.test"],"secret":"{{secret}}"}"""));

        Assert.Equal(secret, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString());
    }

    public static TheoryData<string, string> BadSubscriptions => new()
    {
        { """{"url":"ftp://hooks.example.com/a","eventTypes":["webhook.test"]}""", "url" },
        { """{"url":"not a url","eventTypes":["webhook.test"]}""", "url" },
        { """{"url":"http://10.0.0.1/hook","eventTypes":["webhook.test"]}""", "url" },
        { """{"url":"http://169.254.169.254/latest/meta-data","eventTypes":["webhook.test"]}""", "url" },
        { """{"url":"http://localhost:5000/hook","eventTypes":["webhook.test"]}""", "url" },
        { """{"url":"https://u:p@hooks.example.com/","eventTypes":["webhook.test"]}""", "url" },
        { """{"eventTypes":["webhook.test"]}""", "url" },
        { """{"url":42,"eventTypes":["webhook.test"]}""", "url" },
        { """{"url":"https://hooks.example.com/a","eventTypes":["request.failed","request.fail"]}""", "eventTypes[1]" },
        { """{"url":"https://hooks.example.com/a","eventTypes":[]}""", "eventTypes" },
        { """{"url":"https://hooks.example.com/a"}""", "eventTypes" },
        { """{"url":"https://hooks.example.com/a","eventTypes":"request.failed"}""", "eventTypes" },
        { """{"url":"https://hooks.example.com/a","eventTypes":[7]}""", "eventTypes[0]" },
        { """{"url":"https://hooks.example.com/a","eventTypes":["event.tracked"],"eventNames":[""]}""", "eventNames[0]" },
        { """{"url":"https://hooks.example.com/a","eventTypes":["webhook.test"],"secret":""}""", "secret" },
        { """{"url":"https://hooks.example.com/a","eventTypes":["webhook.test"],"secret":"hunter2"}""", "secret" },
        { """{"url":"https://hooks.example.com/a","eventTypes":["webhook.test"],"secret":"whsec_c2hvcnQ="}""", "secret" },
        { """{"url":"https://hooks.example.com/a","eventTypes":["webhook.test"],"secret":"whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nAAA="}""", "secret" }, // base64 would skip the line break; a store keeping one secret a line would not
        { """{"url":"https://hooks.example.com/a","eventTypes":["webhook.test"],"enabled":"yes"}""", "enabled" },
        { """{"url":"https://hooks.example.com/a","eventTypes":["webhook.test"],"secrets":["x"]}""", "secrets" },
        { """{"url":"https://hooks.example.com/\ud800","eventTypes":["webhook.test"]}""", "url" }, // half a surrogate pair: a 500 once
        { """{"url":"https://hooks.example.com/a","eventTypes":["webhook.test\udfff"]}""", "eventTypes[0]" },
        { """{"url":"https://hooks.example.com/a","eventTypes":["event.tracked"],"eventNames":["\udc00\ud800"]}""", "eventNames[0]" },
        { """{"url":"https://hooks.example.com/a","eventTypes":["webhook.test"],"secret":"whsec_\ud800"}""", "secret" },
        { """{"url":"https://hooks.example.com/a","eventTypes":["webhook.test"],"u\ud800rl":1}""", "u\\ud800rl" },
        { """{"url":"https://hooks.example.com/a","eventTypes":["webhook.test"],"url":"https://hooks.example.com/b"}""", "url" },
        { "{\"url\":\"https://hooks.example.com/a\",\"eventTypes\":[\"webhook.test\"],\"a" + Emoji(26) + "\":1}", "a" + Emoji(24) }, // cut at 50, never inside a pair
        { """{"url":"https://hooks.example.com/a","eventTypes":["alert.triggered"],"format":"sms"}""", "format" },
        { """{"url":"https://hooks.example.com/a","eventTypes":["alert.triggered"],"format":"Slack"}""", "format" }, // exact, as every enumeration here
        { """{"url":"https://hooks.example.com/a","eventTypes":["alert.triggered"],"format":1}""", "format" },
        { """{"url":"https://hooks.example.com/a","eventTypes":["alert.triggered"],"format":"slack","secret":"whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}""", "secret" },
        { """[{"url":"https://hooks.example.com/a"}]""", "body" },
        { """{"url":""", "body" },
    };

    [Fact]
    public async Task AChatSubscriptionHasNoSecretAndAChangeOfFormatMakesOrDropsOne()
    {
        await using var host = await StartAsync();

        var created = await host.Client.PostAsync("/analytics/api/webhooks", Json("""{"url":"https://hooks.slack.com/services/T0/B0/x","eventTypes":["alert.triggered"],"format":"slack"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("id").GetString()!;
        Assert.Equal(("slack", 0), (body.GetProperty("format").GetString(), body.GetProperty("activeSecrets").GetInt32()));
        Assert.False(body.TryGetProperty("secret", out _)); // not signed: no secret is made
        var rotate = await host.Client.PostAsync($"/analytics/api/webhooks/{id}/secrets", Json("{}"));
        Assert.Equal(HttpStatusCode.Conflict, rotate.StatusCode);

        // A PUT without format keeps it; one to standardWebhooks makes a secret, shown once; one to a chat format drops it.
        var kept = await (await host.Client.PutAsync($"/analytics/api/webhooks/{id}", Json("""{"url":"https://hooks.slack.com/services/T0/B0/y","eventTypes":["alert.triggered"]}"""))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("slack", kept.GetProperty("format").GetString());
        var signed = await (await host.Client.PutAsync($"/analytics/api/webhooks/{id}", Json("""{"url":"https://hooks.example.com/a","eventTypes":["alert.triggered"],"format":"standardWebhooks"}"""))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("whsec_", signed.GetProperty("secret").GetString());
        Assert.Equal(1, signed.GetProperty("activeSecrets").GetInt32());
        var discord = await (await host.Client.PutAsync($"/analytics/api/webhooks/{id}", Json("""{"url":"https://discord.com/api/webhooks/1/x","eventTypes":["alert.triggered"],"format":"discord"}"""))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("discord", 0), (discord.GetProperty("format").GetString(), discord.GetProperty("activeSecrets").GetInt32()));
        var listed = (await host.Client.GetFromJsonAsync<JsonElement[]>("/analytics/api/webhooks"))!;
        Assert.Equal(["standardWebhooks", "discord"], listed.OrderBy(s => s.GetProperty("id").GetString() == id).Select(s => s.GetProperty("format").GetString()));
    }

    [Theory]
    [MemberData(nameof(BadSubscriptions))]
    public async Task ABadSubscriptionIsRefusedNamingTheField(string json, string field)
    {
        await using var host = await StartAsync();

        var errors = await ErrorsOf(await host.Client.PostAsync("/analytics/api/webhooks", Json(json)));

        Assert.True(errors.TryGetProperty(field, out _), $"no error for '{field}' in {errors}");
        Assert.Single((await host.Client.GetFromJsonAsync<JsonElement[]>("/analytics/api/webhooks"))!); // only the declared one: nothing was stored
    }

    [Fact]
    public async Task AFieldNameThatIsNotUtf8IsRefusedNamingIt()
    {
        await using var host = await StartAsync();
        using var content = new ByteArrayContent([
            .. Encoding.UTF8.GetBytes("""{"url":"https://hooks.example.com/a","event"""), 0xFF, .. Encoding.UTF8.GetBytes("""Types":["webhook.test"]}""")]);
        content.Headers.ContentType = new("application/json");

        var errors = await ErrorsOf(await host.Client.PostAsync("/analytics/api/webhooks", content));

        Assert.True(errors.TryGetProperty("event\uFFFDTypes", out _), $"no error for the name in {errors}");
        Assert.Single((await host.Client.GetFromJsonAsync<JsonElement[]>("/analytics/api/webhooks"))!);
        Assert.DoesNotContain(host.Logs.GetSnapshot(), r => r.Exception is not null);
    }

    [Theory]
    [InlineData("""{"secret":"whsec_\ud800"}""", "secret")]
    [InlineData("""{"secret":"\udc00"}""", "secret")]
    [InlineData("""{"s\ud800":"x"}""", "s\\ud800")]
    public async Task ARotationWithMalformedTextIsRefusedAndTheSecretsStay(string json, string field)
    {
        await using var host = await StartAsync();
        var created = await host.Client.PostAsync("/analytics/api/webhooks", Json("""{"url":"https://hooks.example.com/a","eventTypes":["webhook.test"]}"""));
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var errors = await ErrorsOf(await host.Client.PostAsync($"/analytics/api/webhooks/{id}/secrets", Json(json)));

        Assert.True(errors.TryGetProperty(field, out _), $"no error for '{field}' in {errors}");
        Assert.Equal(1, (await host.Client.GetFromJsonAsync<JsonElement>($"/analytics/api/webhooks/{id}")).GetProperty("activeSecrets").GetInt32());
        Assert.DoesNotContain(host.Logs.GetSnapshot(), r => r.Exception is not null);
    }

    [Fact]
    public async Task AnUpdateWithMalformedTextIsRefusedAndTheSubscriptionStays()
    {
        await using var host = await StartAsync();
        var created = await host.Client.PostAsync("/analytics/api/webhooks", Json("""{"url":"https://hooks.example.com/a","eventTypes":["webhook.test"]}"""));
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var errors = await ErrorsOf(await host.Client.PutAsync(
            $"/analytics/api/webhooks/{id}", Json("""{"url":"https://hooks.example.com/\udc00","eventTypes":["webhook.test"]}""")));

        Assert.True(errors.TryGetProperty("url", out _), $"no error for 'url' in {errors}");
        Assert.Equal("https://hooks.example.com/a", (await host.Client.GetFromJsonAsync<JsonElement>($"/analytics/api/webhooks/{id}")).GetProperty("url").GetString());
    }

    [Fact]
    public async Task ABodyThatIsNotJsonIsRefusedWith415()
    {
        await using var host = await StartAsync();

        var response = await host.Client.PostAsync("/analytics/api/webhooks", new StringContent("url=https://x", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Theory]
    [InlineData("test")]
    [InlineData("secrets")]
    public async Task AFormPostCannotTriggerAChange(string action)
    {
        // What another site's page could send to a developer's loopback host without a CORS preflight.
        await using var host = await StartAsync();
        var created = await host.Client.PostAsync("/analytics/api/webhooks", Json("""{"url":"https://hooks.example.com/a","eventTypes":["webhook.test"]}"""));
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var response = await host.Client.PostAsync($"/analytics/api/webhooks/{id}/{action}", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(1, (await host.Client.GetFromJsonAsync<JsonElement>($"/analytics/api/webhooks/{id}")).GetProperty("activeSecrets").GetInt32());
        Assert.Empty(WebhookTestApp.OutboxTypes(host.DatabasePath));
    }

    [Fact]
    public async Task AnOversizedBodyIsRefusedWith413()
    {
        await using var host = await StartAsync();

        var response = await host.Client.PostAsync("/analytics/api/webhooks", Json($$"""{"url":"https://hooks.example.com/{{new string('a', 70_000)}}"}"""));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task ASubscriptionIsUpdatedAndDeleted()
    {
        await using var host = await StartAsync();
        var id = (await (await host.Client.PostAsync("/analytics/api/webhooks", Json("""{"url":"https://hooks.example.com/a","eventTypes":["webhook.test"]}"""))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var updated = await host.Client.PutAsync($"/analytics/api/webhooks/{id}", Json("""{"url":"https://hooks.example.com/b","eventTypes":["alert.triggered","alert.resolved"],"enabled":false}"""));
        var shown = await updated.Content.ReadFromJsonAsync<JsonElement>();
        var bad = await host.Client.PutAsync($"/analytics/api/webhooks/{id}", Json("""{"url":"gopher://x","eventTypes":["alert.triggered"]}"""));
        var deleted = await host.Client.DeleteAsync($"/analytics/api/webhooks/{id}");
        var gone = await host.Client.GetAsync($"/analytics/api/webhooks/{id}");

        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("https://hooks.example.com/b", shown.GetProperty("url").GetString());
        Assert.False(shown.GetProperty("enabled").GetBoolean());
        Assert.Equal(2, shown.GetProperty("eventTypes").GetArrayLength());
        Assert.True((await ErrorsOf(bad)).TryGetProperty("url", out _));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.DeleteAsync($"/analytics/api/webhooks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.PostAsync("/analytics/api/webhooks/nope/test", WebhookTestApp.EmptyJson())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/analytics/api/webhooks/nope/deliveries")).StatusCode);
    }

    [Fact]
    public async Task ADeclaredSubscriptionIsReadOnly()
    {
        await using var host = await StartAsync();

        var declared = await host.Client.GetFromJsonAsync<JsonElement>("/analytics/api/webhooks/declared");
        var put = await host.Client.PutAsync("/analytics/api/webhooks/declared", Json("""{"url":"https://hooks.example.com/x","eventTypes":["webhook.test"]}"""));
        var delete = await host.Client.DeleteAsync("/analytics/api/webhooks/declared");
        var rotate = await host.Client.PostAsync("/analytics/api/webhooks/declared/secrets", WebhookTestApp.EmptyJson());

        Assert.Equal("options", declared.GetProperty("source").GetString());
        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, rotate.StatusCode);
        Assert.Contains("RequestAnalytics:Webhooks:Subscriptions", await delete.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WhileRotatingBothSecretsSignEachMessage()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync(allowPrivate: true);
        var created = await (await host.Client.PostAsync("/analytics/api/webhooks", Json($$"""{"url":"{{receiver.Url()}}","eventTypes":["webhook.test"]}"""))).Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetString()!;
        var oldSecret = created.GetProperty("secret").GetString()!;

        var rotated = await host.Client.PostAsync($"/analytics/api/webhooks/{id}/secrets", WebhookTestApp.EmptyJson());
        var newSecret = (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        await WebhookTestApp.SendTestAsync(host, id);
        await Wait.UntilAsync(() => receiver.Accepted.Count == 1, TimeSpan.FromSeconds(10), "the test message arrives");
        var during = receiver.Accepted[0];

        var dropped = await host.Client.DeleteAsync($"/analytics/api/webhooks/{id}/secrets/previous");
        await WebhookTestApp.SendTestAsync(host, id);
        await Wait.UntilAsync(() => receiver.Accepted.Count == 2, TimeSpan.FromSeconds(10), "the second test message arrives");
        var after = receiver.Accepted[1];

        Assert.Equal(HttpStatusCode.Created, rotated.StatusCode);
        Assert.Equal(2, during.Signature.Split(' ').Length);
        Assert.True(new WebhookVerifier(newSecret).Verify(during.Body, during.Id, during.Timestamp, during.Signature));
        Assert.True(new WebhookVerifier(oldSecret).Verify(during.Body, during.Id, during.Timestamp, during.Signature));
        Assert.Equal(HttpStatusCode.OK, dropped.StatusCode);
        Assert.Single(after.Signature.Split(' '));
        Assert.True(new WebhookVerifier(newSecret).Verify(after.Body, after.Id, after.Timestamp, after.Signature));
        Assert.False(new WebhookVerifier(oldSecret).Verify(after.Body, after.Id, after.Timestamp, after.Signature));
        Assert.Equal(HttpStatusCode.Conflict, (await host.Client.DeleteAsync($"/analytics/api/webhooks/{id}/secrets/previous")).StatusCode);
        Assert.True((await ErrorsOf(await host.Client.PostAsync($"/analytics/api/webhooks/{id}/secrets", Json("""{"secret":"nope"}""")))).TryGetProperty("secret", out _));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("before=abc", "before")]
    [InlineData("before=-3", "before")]
    public async Task BadPagingIsRefusedNamingTheParameter(string query, string parameter)
    {
        await using var host = await StartAsync();

        var errors = await ErrorsOf(await host.Client.GetAsync($"/analytics/api/webhooks/declared/deliveries?{query}"));

        Assert.True(errors.TryGetProperty(parameter, out _));
    }

    [Fact]
    public async Task TheWebhookEndpointsAreLoopbackOnlyLikeTheRest()
    {
        await using var host = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/analytics/api/webhooks") { Content = Json("""{"url":"https://hooks.example.com/a","eventTypes":["webhook.test"]}""") };
        request.Headers.Add(EndpointTestApp.RemoteHeader, "203.0.113.7");

        var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Single((await host.Client.GetFromJsonAsync<JsonElement[]>("/analytics/api/webhooks"))!);
    }
}
