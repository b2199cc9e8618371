using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Analytics.Sqlite;

/// <summary>
/// Where the database goes when the host chose no store: the user's local application data, in a folder per app and
/// content root, <c>{LocalApplicationData}/Analytics/{ApplicationName}-{hash of the content root}/analytics.db</c>
/// (on Linux <c>~/.local/share/…</c>, on Windows <c>%LOCALAPPDATA%\…</c>).
/// </summary>
/// <remarks>
/// Not the content root: <c>appsettings.json</c>'s reload-on-change watches the content root recursively, so every
/// SQLite page write woke the watcher (1.20× the server CPU per request with every raw row kept, measured with
/// <c>benchmarks/load.sh</c>), and a database beside the app's files is easy to deploy over or publish by mistake. The
/// content root's hash keeps two apps of one name apart and gives one app the same file after a restart. Where there
/// is no such folder, it cannot be created, or it lies inside the content root, the system's temporary folder is used.
/// </remarks>
internal static partial class SqliteDefaultLocation
{
    internal const string FileName = "analytics.db";

    public static string Choose(string? applicationName, string contentRoot)
    {
        var folder = Folder(applicationName, contentRoot);
        var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (!string.IsNullOrEmpty(data) && !IsInside(data, contentRoot) && TryCreate(Path.Combine(data, "Analytics", folder)) is { } chosen)
        {
            return Path.Combine(chosen, FileName);
        }

        return Path.Combine(TryCreate(Path.Combine(Path.GetTempPath(), "Analytics", folder)) ?? Path.GetTempPath(), FileName);
    }

    internal static string Folder(string? applicationName, string contentRoot)
    {
        var name = new StringBuilder();
        foreach (var c in string.IsNullOrWhiteSpace(applicationName) ? "app" : applicationName)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }

        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(contentRoot));
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(root));
        return $"{name}-{Convert.ToHexStringLower(hash.AsSpan(0, 4))}";
    }

    private static bool IsInside(string folder, string contentRoot)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(contentRoot)) + Path.DirectorySeparatorChar;
        var candidate = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) + Path.DirectorySeparatorChar;
        return candidate.StartsWith(root, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    private static string? TryCreate(string folder)
    {
        try
        {
            return Directory.CreateDirectory(folder).FullName;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }

    internal static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information,
            "Request analytics stores its data in {Path} (SQLite, the default; choose the file with UseSqlite(path)).",
            EventName = "DefaultDatabase")]
        public static partial void DefaultDatabase(ILogger logger, string path);
    }
}
