using System.Diagnostics.CodeAnalysis;
using Analytics.AspNetCore;
using Analytics.AspNetCore.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Routing;

/// <summary>Maps the request analytics endpoints.</summary>
public static class RequestAnalyticsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the analytics API under <paramref name="prefix"/>: overview, time series, routes, consumers, releases, status codes, errors,
    /// process health, uptime of the host's health checks, heatmap, the request log and custom events. The endpoints
    /// answer only loopback callers unless authorization is attached to the returned group or
    /// <see cref="Analytics.RequestAnalyticsOptions.AllowRemoteAccess"/> is set, and their own traffic is never recorded.
    /// </summary>
    /// <param name="endpoints">The application or a route group.</param>
    /// <param name="prefix">The path prefix of the group. The default is <c>/analytics</c>.</param>
    /// <returns>The group, so that the host can chain <c>RequireAuthorization</c>, <c>RequireRateLimiting</c> and so on.</returns>
    /// <exception cref="InvalidOperationException"><c>AddRequestAnalytics()</c> was not called.</exception>
    public static RouteGroupBuilder MapRequestAnalytics(
        this IEndpointRouteBuilder endpoints,
        [StringSyntax("Route")] string prefix = "/analytics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        if (endpoints.ServiceProvider.GetService<RequestAnalyticsMarkerService>() is null)
        {
            throw new InvalidOperationException(
                "Unable to find the request analytics services. Call 'builder.Services.AddRequestAnalytics()' before " +
                "building the application, then 'app.MapRequestAnalytics()'.");
        }

        var group = endpoints.MapGroup(prefix);
        // Chat messages link to the dashboard here when RequestAnalytics:DashboardUrl is unset.
        endpoints.ServiceProvider.GetService<Analytics.Webhooks.DashboardLinks>()?.Mapped(prefix);
        group.WithMetadata(AnalyticsEndpointMetadata.Instance)
            .AddEndpointFilter<AnalyticsAccessFilter>()
            .WithTags("Request analytics");

        group.MapGet("/", Dashboard.Index)
            .WithName("GetAnalyticsDashboard")
            .WithSummary("The dashboard: an HTML page over this API and its live stream.")
            .Produces(StatusCodes.Status200OK, contentType: "text/html")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ExcludeFromDescription();
        group.MapGet("/assets/{name}", Dashboard.Asset)
            .WithName("GetAnalyticsDashboardAsset")
            .WithSummary("A script or stylesheet of the dashboard.")
            .Produces(StatusCodes.Status200OK, contentType: "text/javascript")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ExcludeFromDescription();

        var api = group.MapGroup("/api");
        string[] window = ApiParameters.Window, filters = [.. ApiParameters.Filters, .. ApiParameters.RequestDimensions];
        Describe(api.MapGet("/overview", AnalyticsApi.Overview), "GetAnalyticsOverview",
            typeof(Analytics.AnalyticsOverview), "Totals, error rate, request rate and latency percentiles of a range.")
            .WithParameters([.. window, .. filters, "compare"]);
        Describe(api.MapGet("/timeseries", AnalyticsApi.TimeSeries), "GetAnalyticsTimeSeries",
            typeof(Analytics.TimeSeries), "Requests, errors and latency per bucket; empty buckets included.")
            .WithParameters([.. window, .. filters]);
        Describe(api.MapGet("/routes", AnalyticsApi.Routes), "GetAnalyticsRoutes",
            typeof(Analytics.RouteStats[]), "The busiest route templates, most requests first.")
            .WithParameters([.. window, .. filters, "limit20", "compare"]);
        Describe(api.MapGet("/consumers", AnalyticsApi.Consumers), "GetAnalyticsConsumers",
            typeof(Analytics.ConsumerStats[]), "The API consumers, most requests first: count, error rate, latency and when last seen.")
            .WithParameters([.. window, .. filters, "limit20", "compare"]);
        Describe(api.MapGet("/releases", AnalyticsApi.Releases), "GetAnalyticsReleases",
            typeof(Analytics.ReleaseStats[]), "The releases that served requests in the range, newest first (by first seen).")
            .WithParameters([.. window, .. filters]);
        Describe(api.MapGet("/slos", AnalyticsApi.Slos), "GetAnalyticsSlos",
            typeof(SloView[]), "Each service-level objective declared in options (RequestAnalytics:Slos) over its own window ending " +
            "now: good and total requests, attainment, error budget left, and burn rates over 5m, 30m, 1h and 6h.")
            .WithParameters("environment", "instance", "release");
        Describe(api.MapGet("/status-codes", AnalyticsApi.StatusCodes), "GetAnalyticsStatusCodes",
            typeof(Analytics.StatusCodeCount[]), "Responses per status code.")
            .WithParameters([.. window, .. filters]);
        Describe(api.MapGet("/errors", AnalyticsApi.Errors), "GetAnalyticsErrors",
            typeof(Analytics.ErrorGroup[]),
            "Failed requests grouped by fingerprint: exception type and the app's top frames, " +
            "or status, method and route.")
            .WithParameters([.. window, .. ApiParameters.Filters, "limit50"]);
        Admin(api.MapGet("/errors/{fingerprint}", ErrorsApi.Get), "GetAnalyticsError",
            "One error group: its state, latest stack trace and most recent occurrences (limit, default 20).",
            typeof(Analytics.ErrorDetail), notFound: true, notImplemented: false)
            .WithParameters("fingerprint", "occurrences");
        Admin(api.MapPost("/errors/{fingerprint}/resolve", ErrorsApi.Resolve), "ResolveAnalyticsError",
            "Marks an error group resolved; a new occurrence reopens it as regressed.",
            typeof(Analytics.ErrorDetail), notFound: true, notImplemented: false)
            .WithParameters("fingerprint");
        Describe(api.MapGet("/health-metrics", AnalyticsApi.HealthMetrics), "GetAnalyticsHealthMetrics",
            typeof(Analytics.HealthMetrics),
            "Process health per instance and bucket: CPU, working set, GC heap and collections, " +
            "thread pool (min, avg, max).")
            .WithParameters([.. window, "instance"]);
        Describe(api.MapGet("/uptime", AnalyticsApi.Uptime), "GetAnalyticsUptime",
            typeof(Analytics.Uptime.UptimeCheck[]),
            "Each health check's latest status, uptime percentage and incidents over the range (newest first), from the " +
            "reports of the host's own health checks.")
            .WithParameters("range", "from", "to", "instance");
        api.MapGet("/endpoints", EndpointCatalog.Get)
            .WithName("GetAnalyticsPlaygroundEndpoints")
            .WithSummary("The app's own endpoints (method, route template, parameters, authorization, rate-limiting and " +
                "output-cache policies, last request) for the dashboard's playground and access panel; the analytics " +
                "endpoints are left out.")
            .Produces<PlaygroundCatalog>()
            .ProducesProblem(StatusCodes.Status403Forbidden);
        Describe(api.MapGet("/heatmap", AnalyticsApi.Heatmap), "GetAnalyticsHeatmap", typeof(Analytics.Heatmap), "Requests per UTC weekday and hour.")
            .WithParameters([.. window, .. filters]);
        Describe(api.MapGet("/requests", AnalyticsApi.Requests), "GetAnalyticsRequests",
            typeof(Analytics.RequestPage), "The raw request log, newest first, with keyset paging.")
            .WithParameters(["range", "from", "to", .. filters, "limit100", "before"]);
        Describe(api.MapGet("/events", AnalyticsApi.Events), "GetAnalyticsEvents",
            typeof(Analytics.EventsOverTime), "Custom events per name over time.")
            .WithParameters([.. window, "name", "environment", "instance", "limit20"]);
        api.MapGet("/export", Export.Get)
            .WithName("ExportAnalytics")
            .WithSummary("Downloads raw requests or rollups of a range as CSV or JSON, streamed.")
            .WithDescription("The answer is a file (Content-Disposition: attachment) in the format asked for: " +
                "text/csv, or application/json holding an array of objects with the same columns.")
            .WithParameters([.. window, .. filters, "exportBefore", "format", "dataset"])
            .Produces(StatusCodes.Status200OK, typeof(Stream), "text/csv", "application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapPost("/events", EventIngestion.Post)
            .WithMetadata(IngestEndpointMetadata.Instance)
            .AllowAnonymous() // the access filter applies the group's policy itself unless a valid ingestion key came
            .WithName("PostAnalyticsEvents")
            .WithSummary("Tracks one custom event or a batch of up to 100; all or nothing. Also accepts an X-Analytics-Key ingestion key.")
            .WithParameters("ingestKey", "events")
            .Produces(StatusCodes.Status202Accepted, typeof(EventsAccepted))
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapGet("/stream", LiveStream.Get)
            .WithName("GetAnalyticsStream")
            .WithSummary("Live Server-Sent Events: connected, stats, request, event, alert and ping; Accept: application/json gives one snapshot.")
            .WithDescription("With Accept: text/event-stream (what EventSource sends) the answer is a stream of " +
                "events, each with an increasing id and a JSON object as its data: connected, stats (an overview of " +
                "the last 5 minutes), request (a request log entry), event (a custom event), alert and ping. With " +
                "Accept: application/json it is the one snapshot described below.")
            .WithParameters("lastEventId")
            .Produces(StatusCodes.Status200OK, typeof(LiveSnapshot), "application/json")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapDelete("/stream", LiveStream.Delete)
            .WithName("CloseAnalyticsStreams")
            .WithSummary("Closes every live-stream connection.")
            .Produces(StatusCodes.Status200OK, typeof(StreamsClosed))
            .ProducesProblem(StatusCodes.Status403Forbidden);
        MapWebhooks(api.MapGroup("/webhooks"));
        MapAlerts(api.MapGroup("/alerts"));
        group.MapGet("/metrics", MetricsEndpoint.Get)
            .WithName("GetAnalyticsMetrics")
            .WithSummary("Prometheus text exposition: request counters and a latency histogram per route, method and " +
                "status, custom events, and the pipeline's own counters.")
            .Produces(StatusCodes.Status200OK, contentType: MetricsEndpoint.ContentType)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return group;
    }

    private static void MapWebhooks(RouteGroupBuilder webhooks)
    {
        Admin(webhooks.MapGet("/", WebhooksApi.List), "ListAnalyticsWebhooks",
            "Every webhook subscription, secrets left out.",
            typeof(WebhookSubscriptionView[]), badRequest: false);
        Admin(webhooks.MapPost("/", WebhooksApi.Create), "CreateAnalyticsWebhook",
            "Creates a subscription; the answer holds its secret, shown this once.",
            typeof(WebhookSubscriptionView), StatusCodes.Status201Created, body: true)
            .WithParameters("subscription");
        Admin(webhooks.MapGet("/{id}", WebhooksApi.Get), "GetAnalyticsWebhook",
            "One subscription, secrets left out.",
            typeof(WebhookSubscriptionView), notFound: true, badRequest: false)
            .WithParameters("id");
        Admin(webhooks.MapPut("/{id}", WebhooksApi.Update), "UpdateAnalyticsWebhook",
            "Replaces a subscription's URL, event types, event names and enabled flag. One declared in options only takes "
                + "its unchanged definition with enabled: true, which enables it again after a 410 Gone (409 otherwise).",
            typeof(WebhookSubscriptionView), notFound: true, body: true, conflict: true)
            .WithParameters("id", "subscriptionUpdate");
        Admin(webhooks.MapDelete("/{id}", WebhooksApi.Delete), "DeleteAnalyticsWebhook",
            "Deletes a subscription and its deliveries log.",
            null, StatusCodes.Status204NoContent, notFound: true, conflict: true, badRequest: false)
            .WithParameters("id");
        Admin(webhooks.MapPost("/{id}/test", WebhooksApi.Test), "TestAnalyticsWebhook",
            "Queues a webhook.test message to the subscription; the body is {}.",
            typeof(WebhookTestQueued), StatusCodes.Status202Accepted, notFound: true, body: true, conflict: true)
            .WithParameters("id", "test");
        Admin(webhooks.MapGet("/{id}/deliveries", WebhooksApi.Deliveries), "GetAnalyticsWebhookDeliveries",
            "The subscription's deliveries log, newest attempt first, paged with limit and before.",
            typeof(WebhookDeliveryPage), notFound: true)
            .WithParameters("id", "pageSize", "before");
        Admin(webhooks.MapPost("/{id}/secrets", WebhooksApi.AddSecret), "AddAnalyticsWebhookSecret",
            "Rotates: adds a secret (given or generated, shown this once); " +
            "the previous one keeps signing until dropped.",
            typeof(WebhookSecrets), StatusCodes.Status201Created, notFound: true, body: true, conflict: true)
            .WithParameters("id", "secret");
        Admin(webhooks.MapDelete("/{id}/secrets/previous", WebhooksApi.DropPreviousSecret),
            "DropAnalyticsWebhookPreviousSecret",
            "Ends a rotation: only the newest secret signs from now on.",
            typeof(WebhookSecrets), notFound: true, conflict: true, badRequest: false)
            .WithParameters("id");
    }

    private static void MapAlerts(RouteGroupBuilder alerts)
    {
        Admin(alerts.MapGet("/", AlertsApi.List), "ListAnalyticsAlerts",
            "Every alert rule with its state (ok or firing).",
            typeof(AlertRuleView[]), badRequest: false);
        Admin(alerts.MapPost("/", AlertsApi.Create), "CreateAnalyticsAlert",
            "Creates an alert rule.",
            typeof(AlertRuleView), StatusCodes.Status201Created, body: true)
            .WithParameters("alertRule");
        Admin(alerts.MapGet("/history", AlertsApi.History), "GetAnalyticsAlertHistory",
            "Alert rules' changes of state, newest first, paged with limit and before; rule narrows to one rule.",
            typeof(AlertHistoryPage))
            .WithParameters("rule", "pageSize", "before");
        Admin(alerts.MapGet("/{id}", AlertsApi.Get), "GetAnalyticsAlert",
            "One alert rule with its state.",
            typeof(AlertRuleView), notFound: true, badRequest: false)
            .WithParameters("alertId");
        Admin(alerts.MapPut("/{id}", AlertsApi.Update), "UpdateAnalyticsAlert",
            "Replaces an alert rule; a changed rule starts again from ok.",
            typeof(AlertRuleView), notFound: true, body: true, conflict: true)
            .WithParameters("alertId", "alertRule");
        Admin(alerts.MapDelete("/{id}", AlertsApi.Delete), "DeleteAnalyticsAlert",
            "Deletes an alert rule; its history stays.",
            null, StatusCodes.Status204NoContent, notFound: true, conflict: true, badRequest: false)
            .WithParameters("alertId");
    }

    /// <summary>Names and describes an endpoint of the errors, webhooks or alerts API with the answers it really gives.</summary>
    private static RouteHandlerBuilder Admin(
        RouteHandlerBuilder endpoint, string name, string summary, Type? answer, int status = StatusCodes.Status200OK,
        bool notFound = false, bool body = false, bool conflict = false, bool badRequest = true, bool notImplemented = true)
    {
        endpoint.WithName(name).WithSummary(summary).Produces(status, answer).ProducesProblem(StatusCodes.Status403Forbidden);
        if (badRequest)
        {
            endpoint.ProducesValidationProblem();
        }

        if (notImplemented)
        {
            // A store without webhooks and alerts (a custom IAnalyticsStore) answers these with 501.
            endpoint.ProducesProblem(StatusCodes.Status501NotImplemented);
        }

        if (notFound)
        {
            endpoint.ProducesProblem(StatusCodes.Status404NotFound);
        }

        if (conflict)
        {
            endpoint.ProducesProblem(StatusCodes.Status409Conflict);
        }

        if (body)
        {
            endpoint.ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        }

        return endpoint;
    }

    private static RouteHandlerBuilder Describe(RouteHandlerBuilder endpoint, string name, Type answer, string summary) =>
        endpoint
            .WithName(name)
            .WithSummary(summary)
            .Produces(StatusCodes.Status200OK, answer)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden);
}
