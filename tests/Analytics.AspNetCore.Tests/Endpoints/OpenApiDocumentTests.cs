using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Analytics.Alerts;
using Analytics.AspNetCore.Endpoints;
using Analytics.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.AspNetCore.Tests.Endpoints;

/// <summary>
/// The analytics group as it appears in the OpenAPI document of a host with <c>AddOpenApi()</c> and <c>MapOpenApi()</c>
/// (Microsoft.AspNetCore.OpenApi, what <c>dotnet new webapi</c> sets up): parameters, bodies, answers and enums as the
/// endpoints really read and write them.
/// </summary>
public class OpenApiDocumentTests
{
    private static readonly string[] Window = ["range", "from", "to", "granularity"];
    private static readonly string[] Filters = ["route", "method", "status", "environment", "instance", "kind"];
    private static readonly string[] RequestFilters = [.. Filters, "consumer", "release"];

    /// <summary>The query parameters each read documents: those it really applies.</summary>
    public static TheoryData<string, string[]> Reads => new()
    {
        { "/analytics/api/overview", [.. Window, .. RequestFilters, "compare"] },
        { "/analytics/api/timeseries", [.. Window, .. RequestFilters] },
        { "/analytics/api/routes", [.. Window, .. RequestFilters, "limit", "compare"] },
        { "/analytics/api/consumers", [.. Window, .. RequestFilters, "limit", "compare"] },
        { "/analytics/api/releases", [.. Window, .. RequestFilters] },
        { "/analytics/api/slos", ["environment", "instance", "release"] },
        { "/analytics/api/status-codes", [.. Window, .. RequestFilters] },
        { "/analytics/api/errors", [.. Window, .. Filters, "limit"] },
        { "/analytics/api/health-metrics", [.. Window, "instance"] },
        { "/analytics/api/uptime", ["range", "from", "to", "instance"] },
        { "/analytics/api/heatmap", [.. Window, .. RequestFilters] },
        { "/analytics/api/requests", ["range", "from", "to", .. RequestFilters, "limit", "before"] },
        { "/analytics/api/events", [.. Window, "name", "environment", "instance", "limit"] },
        { "/analytics/api/export", [.. Window, .. RequestFilters, "before", "format", "dataset"] },
        { "/analytics/api/alerts/history", ["rule", "limit", "before"] },
        { "/analytics/api/webhooks/{id}/deliveries", ["id", "limit", "before"] },
        { "/analytics/api/errors/{fingerprint}", ["fingerprint", "limit"] },
    };

    [Fact]
    public async Task EveryPathParameterIsDescribedAsARequiredPathParameter()
    {
        await using var host = await OpenApiTestApp.StartAsync();
        var paths = (await DocumentAsync(host))["paths"]!.AsObject();

        var described = 0;
        foreach (var (path, item) in paths.Where(p => p.Key.StartsWith("/analytics/", StringComparison.Ordinal)))
        {
            var names = System.Text.RegularExpressions.Regex.Matches(path, @"\{([^}]+)\}").Select(m => m.Groups[1].Value).ToArray();
            foreach (var (method, operation) in item!.AsObject())
            {
                foreach (var name in names)
                {
                    var parameter = Parameters(operation!).SingleOrDefault(p => (string?)p["name"] == name && (string?)p["in"] == "path");
                    Assert.True(parameter is not null, $"{method} {path} does not describe its path parameter {name}");
                    Assert.True((bool?)parameter["required"] == true, $"{method} {path}: {name} is not required");
                    Assert.Equal("string", (string?)parameter["schema"]!["type"]);
                    Assert.False(string.IsNullOrEmpty((string?)parameter["description"]), $"{method} {path}: {name} has no description");
                    described++;
                }
            }
        }

        // errors/{fingerprint} twice, webhooks/{id} seven times, alerts/{id} three times.
        Assert.Equal(12, described);
    }

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task EachReadDescribesTheParametersItApplies(string path, string[] expected)
    {
        await using var host = await OpenApiTestApp.StartAsync();
        var operation = (await DocumentAsync(host))["paths"]![path]!["get"]!;

        var parameters = Parameters(operation);
        Assert.Equal(expected.Order(StringComparer.Ordinal), parameters.Select(p => (string)p["name"]!).Order(StringComparer.Ordinal));
        foreach (var parameter in parameters.Where(p => (string?)p["in"] == "query"))
        {
            Assert.NotEqual(true, (bool?)parameter["required"]); // every query parameter is optional
            Assert.False(string.IsNullOrEmpty((string?)parameter["description"]), $"{path}: {parameter["name"]} has no description");
        }
    }

    [Fact]
    public async Task ClosedQueryValuesAreStringEnumsWithTheirDefaults()
    {
        await using var host = await OpenApiTestApp.StartAsync();
        var document = await DocumentAsync(host);
        var export = Parameters(document["paths"]!["/analytics/api/export"]!["get"]!).ToDictionary(p => (string)p["name"]!);

        Assert.Equal(QueryParameters.Ranges.Keys, EnumOf(document, export["range"]["schema"]!));
        Assert.Equal(QueryParameters.DefaultRange, (string?)export["range"]["schema"]!["default"]);
        Assert.Equal(Analytics.AspNetCore.Endpoints.Export.Formats, EnumOf(document, export["format"]["schema"]!));
        Assert.Equal(Analytics.AspNetCore.Endpoints.Export.Formats[0], (string?)export["format"]["schema"]!["default"]);
        Assert.Equal(Analytics.AspNetCore.Endpoints.Export.Datasets, EnumOf(document, export["dataset"]["schema"]!));
        Assert.Equal(Analytics.AspNetCore.Endpoints.Export.Datasets[0], (string?)export["dataset"]["schema"]!["default"]);
        Assert.Equal(["minute", "hour", "day"], EnumOf(document, export["granularity"]["schema"]!));
        Assert.Equal("date-time", (string?)export["from"]["schema"]!["format"]);

        var limit = Parameters(document["paths"]!["/analytics/api/requests"]!["get"]!).Single(p => (string?)p["name"] == "limit")["schema"]!;
        Assert.Equal(100, (int?)limit["default"]);
        Assert.Equal(1, (int?)limit["minimum"]);
        Assert.Equal(1000, (int?)limit["maximum"]);
    }

    [Fact]
    public async Task EnumsAreTheStringsTheApiWrites()
    {
        await using var host = await OpenApiTestApp.StartAsync();
        var schemas = (await DocumentAsync(host))["components"]!["schemas"]!;

        // What the API itself writes for each value, through its own serializer context.
        Assert.Equal(Written<Granularity>(), Enum(schemas, "Granularity"));
        Assert.Equal(Written<RequestKind>(), Enum(schemas, "RequestKind"));
        Assert.Equal(Written<ErrorSeverity>(), Enum(schemas, "ErrorSeverity"));
        Assert.Equal(Written<AlertMetric>(), Enum(schemas, "AlertMetric"));
        Assert.Equal(Written<AlertOperator>(), Enum(schemas, "AlertOperator"));
        Assert.Equal(Written<DefinitionSource>(), Enum(schemas, "DefinitionSource"));
        Assert.Equal(["http", "webSocket", "grpc", "serverSentEvents"], Enum(schemas, "RequestKind"));
        Assert.Equal(AlertText.MetricNames, Enum(schemas, "AlertMetric"));
        Assert.Equal(AlertText.OperatorNames, Enum(schemas, "AlertOperator"));
        Assert.Equal(["ok", "firing"], Enum(schemas, "AlertRuleState"));
        Assert.Equal(["triggered", "resolved"], Enum(schemas, "AlertStateChange"));
        Assert.Equal(WebhookEventTypes.All, Enum(schemas, "WebhookEventType"));

        // And the records refer to them, so no enum anywhere is described as a number.
        Assert.Equal("#/components/schemas/Granularity", (string?)schemas["TimeSeries"]!["properties"]!["granularity"]!["$ref"]);
        Assert.Equal("#/components/schemas/RequestKind", (string?)schemas["RequestLogEntry"]!["properties"]!["kind"]!["$ref"]);
        Assert.Equal("#/components/schemas/ErrorSeverity", (string?)schemas["ErrorGroup"]!["properties"]!["severity"]!["$ref"]);
        foreach (var (name, schema) in schemas.AsObject())
        {
            if (schema!["enum"] is JsonArray values)
            {
                Assert.All(values, v => Assert.Equal(JsonValueKind.String, v!.GetValueKind()));
                Assert.NotEqual("integer", (string?)schema["type"]);
            }
        }
    }

    [Fact]
    public async Task PostsAndPutsDescribeTheBodiesTheyRead()
    {
        await using var host = await OpenApiTestApp.StartAsync();
        var document = await DocumentAsync(host);

        // The body's fields are exactly those the handler accepts (it refuses any other), in the schema of each.
        var events = Body(document, "/analytics/api/events", "post", required: true);
        Assert.Equal("array", (string?)events["type"]);
        AssertFields(document, events["items"]!, EventIngestion.Fields, required: ["name"]);
        AssertFields(document, Body(document, "/analytics/api/webhooks", "post", required: true), WebhooksApi.Fields, required: ["url", "eventTypes"]);
        AssertFields(document, Body(document, "/analytics/api/webhooks/{id}", "put", required: true), WebhooksApi.Fields[..^1], required: ["url", "eventTypes"]);
        AssertFields(document, Body(document, "/analytics/api/webhooks/{id}/test", "post", required: false), [], required: []);
        AssertFields(document, Body(document, "/analytics/api/webhooks/{id}/secrets", "post", required: false), ["secret"], required: []);
        AssertFields(document, Body(document, "/analytics/api/alerts", "post", required: true), AlertsApi.Fields, required: ["name", "metric", "threshold"]);
        AssertFields(document, Body(document, "/analytics/api/alerts/{id}", "put", required: true), AlertsApi.Fields, required: ["name", "metric", "threshold"]);

        var eventTypes = Resolve(document, Body(document, "/analytics/api/webhooks", "post", required: true))["properties"]!["eventTypes"]!;
        Assert.Equal(WebhookEventTypes.All, EnumOf(document, eventTypes["items"]!));
        Assert.Null(document["paths"]!["/analytics/api/errors/{fingerprint}/resolve"]!["post"]!["requestBody"]); // it reads none
    }

    [Fact]
    public async Task ABodyWrittenFromTheDocumentIsAcceptedAndTheAnswerMatchesItsSchema()
    {
        await using var host = await OpenApiTestApp.StartAsync();
        var document = await DocumentAsync(host);
        var rule = Resolve(document, Body(document, "/analytics/api/alerts", "post", required: true));
        var metric = EnumOf(document, rule["properties"]!["metric"]!)[0];
        var op = EnumOf(document, rule["properties"]!["operator"]!)[0];

        using var created = await host.Client.PostAsJsonAsync(
            "/analytics/api/alerts",
            new { name = "errors", metric, @operator = op, threshold = 0.5, window = "5m" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var answer = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var view = Resolve(document, Response(document, "/analytics/api/alerts", "post", "201"));
        Assert.Equal(view["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal), answer.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(metric, (string?)answer["metric"]);
        Assert.Equal(op, (string?)answer["operator"]);
        Assert.Contains((string)answer["state"]!, EnumOf(document, view["properties"]!["state"]!));
        Assert.Contains((string)answer["source"]!, EnumOf(document, view["properties"]!["source"]!));

        var series = await host.Client.GetFromJsonAsync<JsonObject>("/analytics/api/timeseries?range=1h");
        Assert.Contains((string)series!["granularity"]!, Enum(document["components"]!["schemas"]!, "Granularity"));
    }

    [Fact]
    public async Task AnswersAreDescribedAsTheEndpointsGiveThem()
    {
        await using var host = await OpenApiTestApp.StartAsync();
        var document = await DocumentAsync(host);

        Assert.Equal("#/components/schemas/AnalyticsOverview", (string?)Response(document, "/analytics/api/overview", "get", "200")["$ref"]);
        Assert.Equal("#/components/schemas/HttpValidationProblemDetails", (string?)Response(document, "/analytics/api/overview", "get", "400", "application/problem+json")["$ref"]);
        Assert.Equal("#/components/schemas/ProblemDetails", (string?)Response(document, "/analytics/api/overview", "get", "403", "application/problem+json")["$ref"]);
        Assert.Equal("#/components/schemas/WebhookSubscriptionView", (string?)Response(document, "/analytics/api/webhooks", "post", "201")["$ref"]);
        Assert.Equal("#/components/schemas/ProblemDetails", (string?)Response(document, "/analytics/api/webhooks/{id}", "get", "404", "application/problem+json")["$ref"]);
        Assert.Equal("#/components/schemas/EventsAccepted", (string?)Response(document, "/analytics/api/events", "post", "202")["$ref"]);
        Assert.Equal("#/components/schemas/LiveSnapshot", (string?)Response(document, "/analytics/api/stream", "get", "200")["$ref"]);
        Assert.NotNull(document["paths"]!["/analytics/api/webhooks/{id}"]!["delete"]!["responses"]!["204"]);

        var export = document["paths"]!["/analytics/api/export"]!["get"]!["responses"]!["200"]!["content"]?.AsObject()
            ?? throw new Xunit.Sdk.XunitException("the export describes no content for its 200 answer");
        Assert.Equal(["text/csv", "application/json"], export.Select(c => c.Key));

        // Only the answers an endpoint can give: no 400 where nothing is read, no 501 where no optional store part is used.
        Assert.Null(document["paths"]!["/analytics/api/webhooks"]!["get"]!["responses"]!["400"]);
        Assert.Null(document["paths"]!["/analytics/api/alerts/{id}"]!["delete"]!["responses"]!["400"]);
        Assert.Null(document["paths"]!["/analytics/api/errors/{fingerprint}"]!["get"]!["responses"]!["501"]);
        Assert.NotNull(document["paths"]!["/analytics/api/errors/{fingerprint}"]!["get"]!["responses"]!["400"]);
    }

    [Fact]
    public async Task TheHostCanLeaveTheGroupOutOfItsDocument()
    {
        await using var host = await OpenApiTestApp.StartAsync(group => group.ExcludeFromDescription());
        var paths = (await DocumentAsync(host))["paths"]!.AsObject();

        Assert.Contains("/items/{id}", paths.Select(p => p.Key)); // the host's own endpoint stays
        Assert.DoesNotContain(paths, p => p.Key.StartsWith("/analytics", StringComparison.Ordinal));
    }

    private static async Task<JsonNode> DocumentAsync(AnalyticsTestHost host) => JsonNode.Parse(await OpenApiTestApp.DocumentTextAsync(host))!;

    private static JsonNode[] Parameters(JsonNode operation) => operation["parameters"]?.AsArray().Select(p => p!).ToArray() ?? [];

    private static string[] Written<T>()
        where T : struct, Enum =>
        [.. System.Enum.GetValues<T>().Select(v => JsonSerializer.SerializeToElement(v, typeof(T), AnalyticsJsonContext.Default).GetString()!)];

    private static string[] Enum(JsonNode schemas, string name) =>
        schemas[name]?["enum"]?.AsArray().Select(v => v!.GetValue<string>()).ToArray() ?? throw new Xunit.Sdk.XunitException($"{name} is not an enum schema: {schemas[name]?.ToJsonString()}");

    /// <summary>Gets the values of an enum schema given inline, by reference, or as the non-null choice of a nullable one.</summary>
    private static string[] EnumOf(JsonNode document, JsonNode schema)
    {
        schema = schema["oneOf"] is JsonArray choices ? choices.Single(c => (string?)c!["type"] != "null")! : schema;
        return (Resolve(document, schema)["enum"] ?? throw new Xunit.Sdk.XunitException($"not an enum: {schema.ToJsonString()}"))
            .AsArray().Select(v => v!.GetValue<string>()).ToArray();
    }

    private static JsonNode Resolve(JsonNode document, JsonNode schema) =>
        schema["$ref"] is { } reference ? document["components"]!["schemas"]![((string)reference!)["#/components/schemas/".Length..]]! : schema;

    private static JsonNode Body(JsonNode document, string path, string method, bool required)
    {
        var body = document["paths"]![path]![method]!["requestBody"] ?? throw new Xunit.Sdk.XunitException($"{method} {path} has no request body");
        Assert.Equal(required, (bool?)body["required"] ?? false);
        Assert.False(string.IsNullOrEmpty((string?)body["description"]), $"{method} {path}: the body has no description");
        return body["content"]!["application/json"]!["schema"]!;
    }

    private static JsonNode Response(JsonNode document, string path, string method, string status, string contentType = "application/json") =>
        document["paths"]![path]![method]!["responses"]![status]?["content"]?[contentType]?["schema"]
        ?? throw new Xunit.Sdk.XunitException($"{method} {path} describes no {status} {contentType} answer");

    private static void AssertFields(JsonNode document, JsonNode schema, string[] fields, string[] required)
    {
        schema = Resolve(document, schema);
        Assert.Equal("object", (string?)schema["type"]);
        Assert.Equal(false, (bool?)schema["additionalProperties"]); // the handlers refuse unknown fields
        Assert.Equal(fields.Order(StringComparer.Ordinal), (schema["properties"]?.AsObject().Select(p => p.Key) ?? []).Order(StringComparer.Ordinal));
        Assert.Equal(required.Order(StringComparer.Ordinal), (schema["required"]?.AsArray().Select(r => (string)r!) ?? []).Order(StringComparer.Ordinal));
    }
}
