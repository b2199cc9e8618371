using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Analytics.Storage;

namespace Analytics.Webhooks;

/// <summary>
/// Turns webhook secrets into the form stores keep and back. A protected secret is <see cref="Prefix"/> followed by what
/// the <see cref="IWebhookSecretProtector"/> made of it, so rows written before secrets were protected (plain
/// <c>whsec_…</c>) are told apart, still sign, and are protected at the next start (<see cref="WebhookSubscriptions"/>).
/// </summary>
internal sealed class WebhookSecretProtection
{
    /// <summary>Starts every protected secret; a plain secret starts with <c>whsec_</c>, never with this.</summary>
    public const string Prefix = "dp:";

    private readonly IWebhookSecretProtector? _protector;

    public WebhookSecretProtection(IWebhookSecretProtector? protector = null)
    {
        _protector = protector;
    }

    /// <summary>Gets whether secrets are protected at all (a host without Data Protection keeps them as given).</summary>
    public bool Protects => _protector is not null;

    public static bool IsProtected(string stored) => stored.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The form to store: protected once, whatever it was before.</summary>
    public string ToStored(string secret) =>
        _protector is null || IsProtected(secret) ? secret : Prefix + _protector.Protect(secret);

    public IReadOnlyList<string> ToStored(IReadOnlyList<string> secrets) => [.. secrets.Select(ToStored)];

    /// <summary>Tells whether some of a subscription's secrets are stored as plain text that this host would protect.</summary>
    public bool NeedsProtection(WebhookSubscription subscription) =>
        _protector is not null && subscription.Secrets.Any(s => !IsProtected(s));

    /// <summary>
    /// Reads the secrets of a subscription as they were given; <see langword="false"/> when one cannot be unprotected
    /// (a lost or different key ring, or no protector on this host), in which case none is returned: a message is
    /// never signed with only some of its keys, or with protected text taken for a key.
    /// </summary>
    public bool TryReveal(WebhookSubscription subscription, [NotNullWhen(true)] out IReadOnlyList<string>? secrets)
    {
        var revealed = new string[subscription.Secrets.Count];
        for (var i = 0; i < revealed.Length; i++)
        {
            if (!TryReveal(subscription.Secrets[i], out var secret))
            {
                secrets = null;
                return false;
            }

            revealed[i] = secret;
        }

        secrets = revealed;
        return true;
    }

    private bool TryReveal(string stored, [NotNullWhen(true)] out string? secret)
    {
        secret = null;
        if (!IsProtected(stored))
        {
            secret = stored; // written before secrets were protected, or by a host that protects none
            return true;
        }

        if (_protector is null)
        {
            return false;
        }

        try
        {
            secret = _protector.Unprotect(stored[Prefix.Length..]);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
