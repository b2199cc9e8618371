using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Analytics.AspNetCore;

/// <summary>
/// The outcome of a gRPC call. gRPC answers HTTP 200 and puts the call's status in the <c>grpc-status</c> trailer (or
/// header, for a response that is only trailers), so a failed call looks like a success at the HTTP level. It is
/// recorded as the HTTP status that the gRPC code maps to (the mapping of gRPC's HTTP/JSON transcoding and
/// <c>google.rpc.Code</c>), so that the codes the server is to blame for count as errors like any 5xx: Unknown (which is
/// also what an unhandled exception in a service method becomes), Internal, DataLoss, Unimplemented, Unavailable and
/// DeadlineExceeded. Client-side codes become 4xx (NotFound 404, InvalidArgument 400, …) and are not errors, as for HTTP.
/// </summary>
internal static class GrpcStatus
{
    private const string StatusName = "grpc-status";
    private const string MessageName = "grpc-message";

    /// <summary>Reads the call's status; <see langword="null"/> when the response carries none (the call did not finish).</summary>
    public static int? Read(HttpContext context, out string? message)
    {
        var headers = context.Response.Headers;
        var status = headers[StatusName];
        var messageValue = headers[MessageName];
        if (status.Count == 0 && context.Features[typeof(IHttpResponseTrailersFeature)] is IHttpResponseTrailersFeature { Trailers: { } trailers })
        {
            status = trailers[StatusName];
            messageValue = trailers[MessageName];
        }

        message = messageValue.Count > 0 ? Uri.UnescapeDataString(messageValue.ToString()) : null; // percent-encoded on the wire
        return int.TryParse(
            status.ToString(),
            System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture,
            out var code)
            ? code
            : null;
    }

    /// <summary>The HTTP status a gRPC status code maps to.</summary>
    public static int ToHttpStatus(int code) => code switch
    {
        0 => StatusCodes.Status200OK,                    // OK
        1 => StatusCodes.Status499ClientClosedRequest,  // Cancelled
        2 => StatusCodes.Status500InternalServerError,  // Unknown (and unhandled exceptions)
        3 => StatusCodes.Status400BadRequest,           // InvalidArgument
        4 => StatusCodes.Status504GatewayTimeout,       // DeadlineExceeded
        5 => StatusCodes.Status404NotFound,             // NotFound
        6 => StatusCodes.Status409Conflict,             // AlreadyExists
        7 => StatusCodes.Status403Forbidden,            // PermissionDenied
        8 => StatusCodes.Status429TooManyRequests,      // ResourceExhausted
        9 => StatusCodes.Status400BadRequest,           // FailedPrecondition
        10 => StatusCodes.Status409Conflict,            // Aborted
        11 => StatusCodes.Status400BadRequest,          // OutOfRange
        12 => StatusCodes.Status501NotImplemented,      // Unimplemented
        13 => StatusCodes.Status500InternalServerError, // Internal
        14 => StatusCodes.Status503ServiceUnavailable,  // Unavailable
        15 => StatusCodes.Status500InternalServerError, // DataLoss
        16 => StatusCodes.Status401Unauthorized,        // Unauthenticated
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>The code's name as gRPC spells it, for the recorded error's type (<c>gRPC Unknown</c>).</summary>
    public static string Name(int code) => code switch
    {
        0 => "OK",
        1 => "Cancelled",
        2 => "Unknown",
        3 => "InvalidArgument",
        4 => "DeadlineExceeded",
        5 => "NotFound",
        6 => "AlreadyExists",
        7 => "PermissionDenied",
        8 => "ResourceExhausted",
        9 => "FailedPrecondition",
        10 => "Aborted",
        11 => "OutOfRange",
        12 => "Unimplemented",
        13 => "Internal",
        14 => "Unavailable",
        15 => "DataLoss",
        16 => "Unauthenticated",
        _ => "Code" + code.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
