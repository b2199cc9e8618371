using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Analytics.Webhooks;

/// <summary>
/// Checks a webhook the way the Standard Webhooks spec says a receiver should: the <c>webhook-signature</c> header must
/// hold a <c>v1,</c> signature of <c>{webhook-id}.{webhook-timestamp}.{body}</c> made with one of the secrets (compared
/// in constant time), and the timestamp must be within <see cref="Tolerance"/> of now, so that a captured message cannot
/// be replayed later. For receivers written in .NET; any Standard Webhooks library verifies the same messages.
/// </summary>
/// <example>
/// <code>
/// var verifier = new WebhookVerifier(secret);
/// app.MapPost("/hooks", async (HttpRequest request) =&gt;
/// {
///     using var buffer = new MemoryStream();
///     await request.Body.CopyToAsync(buffer);
///     return verifier.Verify(buffer.ToArray(), request.Headers["webhook-id"], request.Headers["webhook-timestamp"],
///         request.Headers["webhook-signature"]) ? Results.NoContent() : Results.Unauthorized();
/// });
/// </code>
/// </example>
public sealed class WebhookVerifier
{
    /// <summary>How far a message's timestamp may be from now, either way: 5 minutes, as the spec recommends.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private readonly byte[][] _keys;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a verifier for one secret.</summary>
    /// <param name="secret">The subscription's secret, <c>whsec_…</c> (the prefix may be left out).</param>
    /// <exception cref="ArgumentException">The secret is empty or not the base64 of 24 to 64 bytes.</exception>
    public WebhookVerifier(string secret)
        : this([secret])
    {
    }

    /// <summary>Creates a verifier that accepts a signature made with any of several secrets (while rotating).</summary>
    /// <param name="secrets">The secrets, <c>whsec_…</c> (the prefix may be left out); at least one.</param>
    /// <param name="timeProvider">The clock the timestamp is checked against; the system clock when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">No secret was given, or one is empty or not the base64 of 24 to 64 bytes.</exception>
    public WebhookVerifier(IEnumerable<string> secrets, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var keys = new List<byte[]>();
        foreach (var secret in secrets)
        {
            if (!WebhookSecret.TryDecode(secret, out var key))
            {
                throw new ArgumentException(
                    $"Each secret must be '{WebhookSecret.Prefix}' followed by the base64 of " +
                    $"{WebhookSecret.MinKeyBytes} to {WebhookSecret.MaxKeyBytes} bytes.",
                    nameof(secrets));
            }

            keys.Add(key);
        }

        if (keys.Count == 0)
        {
            throw new ArgumentException("At least one secret is needed.", nameof(secrets));
        }

        _keys = [.. keys];
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Checks a message.</summary>
    /// <param name="body">The request body exactly as received (before any JSON parsing).</param>
    /// <param name="webhookId">The <c>webhook-id</c> header.</param>
    /// <param name="webhookTimestamp">The <c>webhook-timestamp</c> header (Unix seconds).</param>
    /// <param name="webhookSignature">The <c>webhook-signature</c> header (space-separated <c>v1,…</c> signatures).</param>
    /// <returns>
    /// <see langword="true"/> when a signature matches and the timestamp is recent; <see langword="false"/> otherwise,
    /// including for missing headers.
    /// </returns>
    public bool Verify(ReadOnlySpan<byte> body, string? webhookId, string? webhookTimestamp, string? webhookSignature)
    {
        if (string.IsNullOrEmpty(webhookId) || string.IsNullOrEmpty(webhookSignature)
            || !long.TryParse(webhookTimestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
        {
            return false;
        }

        var now = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        if (Math.Abs(now - timestamp) > (long)Tolerance.TotalSeconds)
        {
            return false;
        }

        Span<byte> received = stackalloc byte[32];
        foreach (var part in webhookSignature.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!part.StartsWith(WebhookSignature.VersionPrefix, StringComparison.Ordinal)
                || !Convert.TryFromBase64String(part[WebhookSignature.VersionPrefix.Length..], received, out var length)
                || length != 32)
            {
                continue; // another scheme (v1a, …) or garbage: the spec says to ignore what is not understood
            }

            foreach (var key in _keys)
            {
                if (CryptographicOperations.FixedTimeEquals(WebhookSignature.Compute(key, webhookId, timestamp, body), received))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Checks a message whose body is text.</summary>
    /// <param name="body">The request body as received.</param>
    /// <param name="webhookId">The <c>webhook-id</c> header.</param>
    /// <param name="webhookTimestamp">The <c>webhook-timestamp</c> header.</param>
    /// <param name="webhookSignature">The <c>webhook-signature</c> header.</param>
    /// <returns>See <see cref="Verify(ReadOnlySpan{byte}, string?, string?, string?)"/>.</returns>
    public bool Verify(string body, string? webhookId, string? webhookTimestamp, string? webhookSignature)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Verify(Encoding.UTF8.GetBytes(body), webhookId, webhookTimestamp, webhookSignature);
    }
}
