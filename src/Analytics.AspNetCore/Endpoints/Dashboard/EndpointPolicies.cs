using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.RateLimiting;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>
/// The authorization, rate-limiting and output-cache policies an endpoint's metadata names, read the way the
/// authorization, rate-limiting and output-cache middleware read them. A requirement without a policy name is described
/// in parentheses: <c>(default)</c> for <c>[Authorize]</c> or <c>RequireAuthorization()</c> (the default policy),
/// <c>roles: …</c> and <c>schemes: …</c> for role- or scheme-only <c>[Authorize]</c>, <c>(inline policy)</c> for a policy
/// object attached as such, <c>(requirements)</c> for requirement attributes.
/// </summary>
internal static class EndpointPolicies
{
    internal const string Default = "(default)";
    internal const string Inline = "(inline policy)";
    internal const string Requirements = "(requirements)";

    // CacheOutput("name") attaches an internal NamedPolicy that keeps its name in a private field: no public member
    // says which policy an endpoint uses. Read by name (kept by the trimmer through DynamicDependency); should a later
    // framework rename it, the endpoint reads as (inline policy) instead of failing.
    private const string NamedPolicyType = "Microsoft.AspNetCore.OutputCaching.NamedPolicy";
    private const string OutputCachingAssembly = "Microsoft.AspNetCore.OutputCaching";
    private const string DefaultPolicyType = "Microsoft.AspNetCore.OutputCaching.DefaultPolicy";

    [DynamicDependency(DynamicallyAccessedMemberTypes.NonPublicFields, NamedPolicyType, OutputCachingAssembly)]
    private static readonly FieldInfo? NamedPolicyName =
        Type.GetType(NamedPolicyType + ", " + OutputCachingAssembly)?.GetField("_policyName", BindingFlags.Instance | BindingFlags.NonPublic);

    /// <summary>
    /// Gets the authorization policies the endpoint requires, in metadata order without repeats; none when it has no
    /// authorization metadata or allows anonymous callers (<see cref="IAllowAnonymous"/> wins, as in the middleware).
    /// </summary>
    public static IReadOnlyList<string> Authorization(EndpointMetadataCollection metadata, out bool allowAnonymous)
    {
        allowAnonymous = metadata.GetMetadata<IAllowAnonymous>() is not null;
        if (allowAnonymous)
        {
            return [];
        }

        var policies = new List<string>();
        foreach (var data in metadata.GetOrderedMetadata<IAuthorizeData>())
        {
            if (data.Policy is { Length: > 0 } name)
            {
                Add(policies, name);
            }

            if (data.Roles is { Length: > 0 } roles)
            {
                Add(policies, "roles: " + roles);
            }

            if (data.AuthenticationSchemes is { Length: > 0 } schemes)
            {
                Add(policies, "schemes: " + schemes);
            }

            if (data.Policy is not { Length: > 0 } && data.Roles is not { Length: > 0 } && data.AuthenticationSchemes is not { Length: > 0 })
            {
                Add(policies, Default);
            }
        }

        if (metadata.GetMetadata<AuthorizationPolicy>() is not null)
        {
            Add(policies, Inline);
        }

        if (metadata.GetMetadata<IAuthorizationRequirementData>() is not null)
        {
            Add(policies, Requirements);
        }

        return policies;
    }

    /// <summary>
    /// Gets the rate-limiting policy of the endpoint: its name, <c>(inline policy)</c> for a policy object, or
    /// <see langword="null"/> when it has none or <see cref="DisableRateLimitingAttribute"/> (which wins).
    /// </summary>
    public static string? RateLimiting(EndpointMetadataCollection metadata) =>
        metadata.GetMetadata<DisableRateLimitingAttribute>() is not null ? null
        : metadata.GetMetadata<EnableRateLimitingAttribute>() is { } enable ? enable.PolicyName ?? Inline
        : null;

    /// <summary>
    /// Gets the output-cache policy of the endpoint: the name of <see cref="OutputCacheAttribute.PolicyName"/> or of
    /// <c>CacheOutput("name")</c>, <c>(default)</c> for output caching without a name, <c>(inline policy)</c> for a
    /// policy object, or <see langword="null"/> when the endpoint is not cached (<c>[OutputCache(NoStore = true)]</c>
    /// included).
    /// </summary>
    public static string? OutputCache(EndpointMetadataCollection metadata)
    {
        if (metadata.GetMetadata<OutputCacheAttribute>() is { } attribute)
        {
            return attribute.NoStore ? null : attribute.PolicyName ?? Default;
        }

        return metadata.GetMetadata<IOutputCachePolicy>() switch
        {
            null => null,
            var policy when policy.GetType().FullName == DefaultPolicyType => Default,
            var policy when policy.GetType().FullName == NamedPolicyType => NamedPolicyName?.GetValue(policy) as string ?? Inline,
            _ => Inline,
        };
    }

    private static void Add(List<string> policies, string policy)
    {
        if (!policies.Contains(policy, StringComparer.Ordinal))
        {
            policies.Add(policy);
        }
    }
}
