using Analytics.Webhooks;
using Microsoft.AspNetCore.DataProtection;

namespace Analytics.AspNetCore;

/// <summary>
/// Protects webhook secrets with ASP.NET Core Data Protection, under a purpose of their own. The keys are the host's key
/// ring: instances that share a store must share it too (and persist it), or they cannot read each other's secrets.
/// </summary>
internal sealed class DataProtectionWebhookSecretProtector : IWebhookSecretProtector
{
    // Versioned so that a later format can be told apart; changing it would make every stored secret unreadable.
    internal const string Purpose = "Analytics.Webhooks.Secrets.v1";

    private readonly IDataProtector _protector;

    public DataProtectionWebhookSecretProtector(IDataProtectionProvider provider)
    {
        _protector = provider.CreateProtector(Purpose);
    }

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
