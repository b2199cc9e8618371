using System.Security.Cryptography;

namespace Analytics.Webhooks;

/// <summary>Standard Webhooks secrets: <c>whsec_</c> followed by the base64 of the HMAC key.</summary>
internal static class WebhookSecret
{
    public const string Prefix = "whsec_";

    // The spec asks for keys of 24 to 64 bytes; 32 is HMAC-SHA256's own block-friendly size.
    public const int MinKeyBytes = 24;
    public const int MaxKeyBytes = 64;
    private const int GeneratedKeyBytes = 32;

    public static string Generate() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(GeneratedKeyBytes));

    /// <summary>Decodes a secret, with or without its prefix (receivers often store it bare).</summary>
    public static bool TryDecode(string? secret, out byte[] key)
    {
        key = [];
        if (string.IsNullOrWhiteSpace(secret))
        {
            return false;
        }

        var text = secret.StartsWith(Prefix, StringComparison.Ordinal) ? secret[Prefix.Length..] : secret;
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(text, buffer, out var written) || written is < MinKeyBytes or > MaxKeyBytes)
        {
            return false;
        }

        key = buffer[..written];
        return true;
    }

    /// <summary>Explains what is wrong with a secret given to a subscription, or returns <see langword="null"/>.</summary>
    public static string? Check(string? secret) =>
        string.IsNullOrWhiteSpace(secret) ? "must not be empty."
        : !secret.StartsWith(Prefix, StringComparison.Ordinal) ? $"must start with '{Prefix}'."

        // Base64 decoding skips white space, but a store may keep a subscription's secrets one to a line.
        : secret.AsSpan().ContainsAny(" \t\r\n") ? "must not contain spaces or line breaks."
        : !TryDecode(secret, out _) ? $"must be '{Prefix}' followed by the base64 of {MinKeyBytes} to {MaxKeyBytes} bytes."
        : null;
}
