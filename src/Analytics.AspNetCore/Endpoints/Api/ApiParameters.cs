using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Analytics.Queries;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>
/// Describes the query, path and header parameters and the request body of the analytics endpoints to ApiExplorer, and
/// so to the host's OpenAPI document, without touching how the endpoints read them.
/// </summary>
/// <remarks>
/// <para>
/// Why this way. The handlers take <c>HttpContext</c> and read the query string and the body themselves, so that every
/// bad value is answered with one 400 ProblemDetails naming each bad parameter (DESIGN §5). Typed <c>[FromQuery]</c>
/// handler parameters would describe themselves, but the framework would then answer a malformed <c>limit</c> or
/// <c>from</c> with its own 400 before the handler runs. An <c>IOpenApiOperationTransformer</c> would tie the library to
/// Microsoft.AspNetCore.OpenApi and leave Swashbuckle and NSwag users out; an <c>IApiDescriptionProvider</c> of our own
/// would have to build ApiExplorer's <c>ModelMetadata</c> by hand.
/// </para>
/// <para>
/// Instead, each endpoint carries one <see cref="IParameterBindingMetadata"/> per value it reads by hand: the same
/// metadata the Request Delegate Generator emits for a real handler parameter, and the only thing ApiExplorer's
/// <c>EndpointMetadataApiDescriptionProvider</c> (read by Microsoft.AspNetCore.OpenApi, Swashbuckle and NSwag) builds an
/// endpoint's parameters from. Each points at a parameter of <see cref="Catalog"/>, a method never called whose
/// signature is the description: the binding attribute says where the value comes from (query, route, header, body),
/// the parameter's type gives the schema (enums with their wire names), and <see cref="DescriptionAttribute"/>,
/// <see cref="DefaultValueAttribute"/> and validation attributes become the document's description, default and limits.
/// Nothing reads this metadata while serving a request, so the HTTP behaviour is exactly what it was.
/// </para>
/// </remarks>
internal static class ApiParameters
{
    /// <summary>The range and bucket width every read takes.</summary>
    public static readonly string[] Window = ["range", "from", "to", "granularity"];

    /// <summary>The request filters of the reads over request rollups.</summary>
    public static readonly string[] Filters = ["route", "method", "status", "environment", "instance", "kind"];

    /// <summary>The filters only requests have: who called and which release served them (DESIGN §9).</summary>
    public static readonly string[] RequestDimensions = ["consumer", "release"];

    private static readonly Dictionary<string, ParameterBinding> Parameters = Read();

    /// <summary>Adds the description of the named parameters of <see cref="Catalog"/> to the endpoint.</summary>
    /// <exception cref="InvalidOperationException">A name is not a parameter of <see cref="Catalog"/>.</exception>
    public static TBuilder WithParameters<TBuilder>(this TBuilder endpoint, params IEnumerable<string> names)
        where TBuilder : IEndpointConventionBuilder
    {
        foreach (var name in names)
        {
            endpoint.WithMetadata(Parameters.TryGetValue(name, out var parameter)
                ? parameter
                : throw new InvalidOperationException($"'{name}' is not a parameter of {nameof(ApiParameters)}.{nameof(Catalog)}."));
        }

        return endpoint;
    }

    private static Dictionary<string, ParameterBinding> Read()
    {
        var catalog = typeof(ApiParameters).GetMethod(nameof(Catalog), BindingFlags.NonPublic | BindingFlags.Static)!;
        return catalog.GetParameters().ToDictionary(p => p.Name!, p => new ParameterBinding(p), StringComparer.Ordinal);
    }

    /// <summary>
    /// Every parameter of the API, as ApiExplorer is to see it. Never called. A C# name that differs from the wire name
    /// (<c>limit20</c>, <c>alertId</c>) tells apart the same wire parameter with another default or meaning.
    /// </summary>
    private static void Catalog(
        [FromQuery, DefaultValue(AnalyticsRange.Last24Hours)]
        [Description("How far back from now to read. Give either range or from (and to), not both.")]
        AnalyticsRange range,
        [FromQuery]
        [Description("The start of the range, ISO-8601 such as 2026-11-21T10:00:00Z (UTC unless an offset is given); instead of range.")]
        DateTimeOffset from,
        [FromQuery]
        [Description("The end of the range, ISO-8601; only with from. The default is now.")]
        DateTimeOffset to,
        [FromQuery]
        [Description("Forces the bucket width; by default the coarsest that answers the range is read " +
            "(up to 6 h: minute, up to 14 days: hour, else day). The heatmap refuses day.")]
        Granularity granularity,
        [FromQuery, StringLength(QueryParameters.MaxFilterLength)]
        [Description("Only requests to this route template, as recorded (for example /items/{id}).")]
        string route,
        [FromQuery, StringLength(QueryParameters.MaxFilterLength)]
        [Description("Only requests with this HTTP method.")]
        string method,
        [FromQuery, RegularExpression("^[1-5]([0-9]{2}|[xX]{2})$")]
        [Description("Only responses with this status code (500) or in this class (5xx).")]
        string status,
        [FromQuery, StringLength(QueryParameters.MaxFilterLength)]
        [Description("Only what this environment recorded (shared stores).")]
        string environment,
        [FromQuery, StringLength(QueryParameters.MaxFilterLength)]
        [Description("Only what this instance recorded (shared stores).")]
        string instance,
        [FromQuery]
        [Description("Only requests of this kind; its latency is then that kind's. By default latency leaves " +
            "the long-lived kinds (webSocket, serverSentEvents) out, while counts include them.")]
        RequestKind kind,
        [FromQuery, StringLength(RequestAnalyticsDefaults.MaxConsumerLength)]
        [Description("Only requests of this API consumer (RequestAnalytics:ConsumerHeader, ConsumerClaim or the host's " +
            "resolver), or (other) for those beyond the per-bucket limit. Custom events, process health and error groups " +
            "answer it with 400: consumers are kept for requests only.")]
        string consumer,
        [FromQuery, StringLength(RequestAnalyticsDefaults.MaxReleaseLength)]
        [Description("Only requests served by this release (RequestAnalytics:Release).")]
        string release,
        [FromQuery, RegularExpression("^previous-(period|release)$")]
        [Description("Adds previous to the answer: the same query over the range of the same length just before " +
            "(previous-period), or over the traffic of the release before the newest one in the range, ending when it " +
            "was last seen (previous-release); null when there is nothing to compare with.")]
        string compare,
        [FromQuery, StringLength(QueryParameters.MaxFilterLength)]
        [Description("Only custom events with this name.")]
        string name,
        [FromQuery(Name = "limit"), DefaultValue(20), Range(1, AnalyticsQueries.MaxLimit)]
        [Description("How many to return at most.")]
        int limit20,
        [FromQuery(Name = "limit"), DefaultValue(50), Range(1, AnalyticsQueries.MaxLimit)]
        [Description("How many to return at most.")]
        int limit50,
        [FromQuery(Name = "limit"), DefaultValue(100), Range(1, AnalyticsQueries.MaxLimit)]
        [Description("How many to return at most (a page).")]
        int limit100,
        [FromQuery(Name = "limit"), DefaultValue(20), Range(1, AnalyticsQueries.MaxLimit)]
        [Description("How many of the most recent occurrences to return.")]
        int occurrences,
        [FromQuery(Name = "limit"), DefaultValue(AdminResults.DefaultPageSize), Range(1, AnalyticsQueries.MaxLimit)]
        [Description("How many entries a page holds at most.")]
        int pageSize,
        [FromQuery]
        [Description("Reads the page after the one whose next this is: the positive id the previous page gave as next.")]
        long before,
        [FromQuery(Name = "before")]
        [Description("Where the export starts, newest first: the positive id of a request (the next of a request page).")]
        long exportBefore,
        [FromQuery, DefaultValue(ExportFormat.Csv)]
        [Description("The file's format: CSV (RFC 4180, formula-like cells escaped) or a JSON array of objects.")]
        ExportFormat format,
        [FromQuery, DefaultValue(ExportDataset.Requests)]
        [Description("What to export: the raw requests of the range, or its rollup rows (with percentiles).")]
        ExportDataset dataset,
        [FromQuery]
        [Description("Only the history of the alert rule with this id.")]
        string rule,
        [FromRoute, RegularExpression("^[0-9a-f]{16}$")]
        [Description("The error group's fingerprint: 16 lower-case hexadecimal digits, as the errors list shows it.")]
        string fingerprint,
        [FromRoute]
        [Description("The webhook subscription's id.")]
        string id,
        [FromRoute(Name = "id")]
        [Description("The alert rule's id.")]
        string alertId,
        [FromHeader(Name = EventIngestion.KeyHeader)]
        [Description("An ingestion key (RequestAnalytics:IngestKeys) for senders the group's access rules " +
            "would refuse, such as other services or browsers.")]
        string ingestKey,
        [FromHeader(Name = "Last-Event-ID")]
        [Description("The id of the last event received: a reconnecting client is sent what it missed, as far as the replay buffer reaches.")]
        long lastEventId,
        [FromBody, Required]
        [Description("One event object, or an array of up to 100 (a batch is accepted or refused whole); at most 64 KB.")]
        TrackedEventInput[] events,
        [FromBody, Required]
        [Description("The subscription; a secret is generated when none is given.")]
        WebhookSubscriptionInput subscription,
        [FromBody, Required]
        [Description("The subscription's new definition; its secrets are changed through …/secrets.")]
        WebhookSubscriptionUpdate subscriptionUpdate,
        [FromBody]
        [Description("Empty, or {}.")]
        WebhookTestInput test,
        [FromBody]
        [Description("Empty to have a secret generated, or the secret to add.")]
        WebhookSecretInput secret,
        [FromBody, Required]
        [Description("The alert rule.")]
        AlertRuleInput alertRule)
    {
    }

    /// <summary>
    /// One parameter an endpoint reads by hand, told to ApiExplorer as if the handler had it. Required when it is in the
    /// path or marked <see cref="RequiredAttribute"/>; the <c>[From…]</c> attribute's name is its wire name.
    /// </summary>
    private sealed class ParameterBinding(ParameterInfo parameter) : IParameterBindingMetadata
    {
        public string Name { get; } = parameter.GetCustomAttributes().OfType<IFromQueryMetadata>().FirstOrDefault()?.Name
            ?? parameter.GetCustomAttributes().OfType<IFromRouteMetadata>().FirstOrDefault()?.Name
            ?? parameter.GetCustomAttributes().OfType<IFromHeaderMetadata>().FirstOrDefault()?.Name
            ?? parameter.Name!;

        public bool HasTryParse => false;

        public bool HasBindAsync => false;

        public ParameterInfo ParameterInfo => parameter;

        public bool IsOptional { get; } = !parameter.IsDefined(typeof(FromRouteAttribute)) && !parameter.IsDefined(typeof(RequiredAttribute));
    }
}
