using System.Diagnostics;

namespace Analytics.Tests.Webhooks;

/// <summary>
/// What a test needs for a network namespace of its own, made with <c>unshare -rn</c> (a user namespace maps the test's
/// user to root in it, so root is not needed where unprivileged user namespaces are allowed). A test that needs one
/// fails naming what is missing, like every test that needs a tool: a skipped test would prove nothing.
/// </summary>
internal static class NetworkNamespace
{
    private static readonly Lazy<string?> Checked = new(Check);

    /// <summary>Gets what this machine lacks for a network namespace with an IPv6 address on its loopback, or <see langword="null"/>.</summary>
    public static string? Missing => Checked.Value;

    private static string? Check()
    {
        foreach (var (tool, package) in new[] { ("unshare", "util-linux"), ("ip", "iproute2"), ("sh", "dash") })
        {
            var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
                .Any(directory => File.Exists(Path.Combine(directory, tool)));
            if (!onPath)
            {
                return $"'{tool}' is not installed (Debian package {package}), so no network namespace can be made";
            }
        }

        // What the tests do in it: bring up loopback and put an IPv6 address on it. This is synchronous and
        // this runs once; the bound is for a machine that hangs, not a pause.
        var start = new ProcessStartInfo("unshare")
        {
            ArgumentList = { "-rn", "sh", "-c", "ip link set lo up && ip -6 addr add 64:ff9b:1::7f00:1/128 dev lo nodad" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var said = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => said.Enqueue(e.Data ?? "");
        process.ErrorDataReceived += (_, e) => said.Enqueue(e.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            return "'unshare -rn' did not finish in 30 s, so no network namespace can be made";
        }

        process.WaitForExit(); // drains the redirected output
        return process.ExitCode == 0 ? null
            : $"this machine refuses a user and network namespace ('unshare -rn' exited {process.ExitCode}: {string.Join(' ', said).Trim()}); "
                + "it needs unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0, "
                + "kernel.apparmor_restrict_unprivileged_userns=0) or root";
    }
}
