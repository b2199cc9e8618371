using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Analytics.Webhooks;

/// <summary>
/// The Standard Webhooks signature: <c>v1,</c> + base64(HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}")),
/// several separated by spaces.
/// </summary>
internal static class WebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const string VersionPrefix = "v1,";

    public static byte[] Compute(byte[] key, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{id}.{timestamp}."));
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(prefix);
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }

    /// <summary>The <c>webhook-signature</c> header value: one <c>v1,</c> signature per key, newest key first.</summary>
    public static string Sign(IReadOnlyList<byte[]> keys, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var builder = new StringBuilder();
        foreach (var key in keys)
        {
            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(VersionPrefix).Append(Convert.ToBase64String(Compute(key, id, timestamp, body)));
        }

        return builder.ToString();
    }
}
