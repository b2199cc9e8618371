namespace Analytics.Webhooks;

/// <summary>
/// Protects webhook signing secrets at rest. Analytics.AspNetCore registers one over ASP.NET Core Data Protection (so the
/// keys are wherever the host configured its key ring); a host that registers none keeps secrets as they were given.
/// Core, not the store, calls it: every store, a third-party one included, only ever holds protected text.
/// </summary>
internal interface IWebhookSecretProtector
{
    /// <summary>Protects a secret; the result is text a store can keep, without line breaks.</summary>
    /// <param name="secret">The secret, <c>whsec_…</c>.</param>
    /// <returns>The protected text, without the <see cref="WebhookSecretProtection.Prefix"/>.</returns>
    string Protect(string secret);

    /// <summary>Reverses <see cref="Protect"/>.</summary>
    /// <param name="protectedSecret">What <see cref="Protect"/> returned.</param>
    /// <returns>The secret.</returns>
    /// <exception cref="System.Security.Cryptography.CryptographicException">
    /// The text was protected with a key this protector does not have (a lost or different key ring), or was altered.
    /// </exception>
    string Unprotect(string protectedSecret);
}
