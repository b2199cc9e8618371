using System.Reflection;

namespace Analytics;

/// <summary>The environment, instance and release names stamped on every record, resolved once at start.</summary>
/// <param name="Environment">The environment name.</param>
/// <param name="Instance">The instance name.</param>
/// <param name="Release">The release name.</param>
internal sealed record HostIdentity(string? Environment, string? Instance, string? Release = null)
{
    /// <summary>
    /// The release of the running app: its entry assembly's informational version without the <c>+commit</c> suffix the
    /// SDK appends (two builds of one version are one release), else <c>unknown</c>.
    /// </summary>
    public static string DefaultRelease(Assembly? entryAssembly)
    {
        var version = entryAssembly?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrWhiteSpace(version))
        {
            return RequestAnalyticsDefaults.UnknownRelease;
        }

        int plus = version.IndexOf('+', StringComparison.Ordinal);
        version = (plus > 0 ? version[..plus] : version).Trim();
        return version.Length > RequestAnalyticsDefaults.MaxReleaseLength ? version[..RequestAnalyticsDefaults.MaxReleaseLength] : version;
    }
}
