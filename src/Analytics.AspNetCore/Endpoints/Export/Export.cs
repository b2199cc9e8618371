using System.Globalization;
using System.Text;
using System.Text.Json;
using Analytics.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>
/// <c>GET {prefix}/api/export?format=csv|json&amp;dataset=requests|rollups</c>: a download written row by row as the
/// store reads it (raw requests page by page, rollups as one stream), so memory stays flat for millions of rows.
/// </summary>
internal static class Export
{
    // Raw rows are read in pages of this many; each page is written and flushed before the next is read.
    private const int PageSize = 1_000;

    /// <summary>Gets the values of <c>format</c>, the default first.</summary>
    internal static readonly string[] Formats = ["csv", "json"];

    /// <summary>Gets the values of <c>dataset</c>, the default first.</summary>
    internal static readonly string[] Datasets = ["requests", "rollups"];

    private static readonly string[] RequestColumns =
    [
        "id", "time", "method", "route", "path", "statusCode", "duration", "requestBytes", "responseBytes",
        "clientIp", "userAgent", "protocol", "kind", "traceId", "userId", "environment", "instance",
        "exceptionType", "exceptionMessage", "consumer", "release"
    ];

    private static readonly string[] RollupColumns =
    [
        "granularity", "bucketStart", "route", "method", "statusCode", "environment", "instance", "count", "errors",
        "avg", "p50", "p95", "p99", "max", "bytesIn", "bytesOut", "kind", "release"
    ];

    public static Task<IResult> Get(HttpContext context, IAnalyticsQueries queries)
    {
        var services = context.RequestServices;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var options = services.GetRequiredService<IOptions<RequestAnalyticsOptions>>().Value;
        QueryParameters.TryParse(context.Request, now, options, out var query, out var errors);
        string format = Choice(context.Request, "format", Formats, Formats[0], errors);
        string dataset = Choice(context.Request, "dataset", Datasets, Datasets[0], errors);
        if (errors.Count > 0)
        {
            return Task.FromResult<IResult>(AnalyticsApi.BadRequest(errors));
        }

        IAsyncEnumerable<Row> rows;
        try
        {
            rows = dataset == "requests"
                ? Requests(queries, query, context.RequestAborted)
                : Rollups(queries.GetRollupsAsync(query, context.RequestAborted));
        }
        catch (ArgumentException ex)
        {
            return Task.FromResult<IResult>(AnalyticsApi.BadRequest(ex));
        }

        var columns = dataset == "requests" ? RequestColumns : RollupColumns;
        var fileName = $"analytics-{dataset}-{now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}.{format}";
        return Task.FromResult<IResult>(format == "csv"
            ? TypedResults.Stream(
                stream => WriteCsvAsync(stream, columns, rows, context.RequestAborted),
                "text/csv; charset=utf-8",
                fileName)
            : TypedResults.Stream(
                stream => WriteJsonAsync(stream, columns, rows, context.RequestAborted),
                "application/json; charset=utf-8",
                fileName));
    }

    /// <summary>Escapes one CSV cell per RFC 4180, and defuses cells a spreadsheet would run as a formula.</summary>
    internal static string CsvCell(string? value, bool isText)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        // OWASP CSV injection: a leading = + - @ (or tab/CR) makes Excel and friends evaluate the cell. Numbers we write
        // ourselves are never negative, so only text cells need the quote prefix.
        if (isText && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static async IAsyncEnumerable<Row> Requests(
        IAnalyticsQueries queries,
        AnalyticsQuery query,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long? before = query.Before;
        do
        {
            var page = await queries.GetRequestsAsync(query with { Limit = PageSize, Before = before }, cancellationToken).ConfigureAwait(false);
            foreach (var r in page.Items)
            {
                yield return new Row(
                [
                    Number(r.Id), Time(r.Time), Text(r.Method), Text(r.Route), Text(r.Path), Number(r.StatusCode), Number(r.Duration),
                    Number(r.RequestBytes), Number(r.ResponseBytes), Text(r.ClientIp), Text(r.UserAgent), Text(r.Protocol),
                    Text(KindName(r.Kind)), Text(r.TraceId), Text(r.UserId), Text(r.Environment),
                    Text(r.Instance), Text(r.ExceptionType), Text(r.ExceptionMessage), Text(r.Consumer), Text(r.Release),
                ]);
            }

            before = page.Next;
        }
        while (before is not null);
    }

    private static async IAsyncEnumerable<Row> Rollups(IAsyncEnumerable<RequestRollup> rollups)
    {
        await foreach (var r in rollups.ConfigureAwait(false))
        {
            var sketch = r.Latency;
            yield return new Row(
            [
                Text(r.Granularity.ToWireName()), Time(r.BucketStart), Text(r.Route), Text(r.Method),
                Number(r.StatusCode), Text(r.Environment), Text(r.Instance),
                Number(r.Count), Number(r.Errors), Number(r.Count == 0 ? 0 : r.DurationSumMicroseconds / 1_000.0 / r.Count),
                Number((sketch?.GetQuantile(0.50) ?? 0) / 1_000), Number((sketch?.GetQuantile(0.95) ?? 0) / 1_000),
                Number((sketch?.GetQuantile(0.99) ?? 0) / 1_000),
                Number(r.DurationMaxMicroseconds / 1_000.0), Number(r.RequestBytes), Number(r.ResponseBytes), Text(KindName(r.Kind)),
                Text(r.Release),
            ]);
        }
    }

    private static async Task WriteCsvAsync(Stream stream, string[] columns, IAsyncEnumerable<Row> rows, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024);
        writer.NewLine = "\r\n"; // RFC 4180
        await writer.WriteLineAsync(string.Join(',', columns)).ConfigureAwait(false);
        int written = 0;
        var line = new StringBuilder(256);
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            // Built in memory and written asynchronously: Kestrel refuses synchronous writes, which a full StreamWriter
            // buffer would otherwise make.
            line.Clear();
            for (int i = 0; i < row.Cells.Length; i++)
            {
                if (i > 0)
                {
                    line.Append(',');
                }

                line.Append(CsvCell(row.Cells[i].Value, row.Cells[i].IsText));
            }

            await writer.WriteLineAsync(line, cancellationToken).ConfigureAwait(false);
            if (++written % PageSize == 0)
            {
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task WriteJsonAsync(Stream stream, string[] columns, IAsyncEnumerable<Row> rows, CancellationToken cancellationToken)
    {
        await using var writer = new Utf8JsonWriter(stream);
        writer.WriteStartArray();
        int written = 0;
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            writer.WriteStartObject();
            for (int i = 0; i < row.Cells.Length; i++)
            {
                var (value, isText) = row.Cells[i];
                writer.WritePropertyName(columns[i]);
                if (value is null)
                {
                    writer.WriteNullValue();
                }
                else if (isText)
                {
                    writer.WriteStringValue(value);
                }
                else
                {
                    writer.WriteRawValue(value, skipInputValidation: true); // a number we formatted invariantly
                }
            }

            writer.WriteEndObject();
            if (++written % PageSize == 0)
            {
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        writer.WriteEndArray();
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Choice(HttpRequest request, string name, string[] allowed, string fallback, Dictionary<string, string[]> errors)
    {
        if (QueryParameters.Single(request.Query, name, errors) is not { } text)
        {
            return fallback;
        }

        var value = text.ToLowerInvariant();
        if (Array.IndexOf(allowed, value) < 0)
        {
            errors[name] = [$"'{text}' is not one of {string.Join(", ", allowed)}."];
            return fallback;
        }

        return value;
    }

    private static (string? Value, bool IsText) Text(string? value) => (value, true);

    /// <summary>The kind as the JSON API writes it (camelCase).</summary>
    private static string KindName(RequestKind kind) => JsonNamingPolicy.CamelCase.ConvertName(kind.ToString());

    private static (string? Value, bool IsText) Number(long value) => (value.ToString(CultureInfo.InvariantCulture), false);

    private static (string? Value, bool IsText) Number(double value) => (value.ToString("R", CultureInfo.InvariantCulture), false);

    private static (string? Value, bool IsText) Time(DateTimeOffset value) => (UtcDateTimeOffsetConverter.Format(value), true);

    private readonly record struct Row((string? Value, bool IsText)[] Cells);
}
