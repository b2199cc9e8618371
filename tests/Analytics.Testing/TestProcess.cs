using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Analytics.Testing;

/// <summary>A child process whose output is captured line by line and which is killed, with its children, on dispose.</summary>
public sealed partial class TestProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private TestProcess(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        _process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        _process.OutputDataReceived += (_, e) => _output.Enqueue(e.Data ?? "");
        _process.ErrorDataReceived += (_, e) => _output.Enqueue(e.Data ?? "");
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Gets the configuration the tests were built in, so that child builds and runs use the same one.</summary>
    public static string Configuration { get; } = typeof(TestProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;

    public IReadOnlyCollection<string> Output => _output;

    public bool HasExited => _process.HasExited;

    /// <summary>Gets the operating system's id of the process, to read <c>/proc/ID</c> or to signal it.</summary>
    public int Id => _process.Id;

    public string Transcript => string.Join('\n', _output);

    public static TestProcess Start(string fileName, string workingDirectory, params string[] arguments) =>
        Start(fileName, workingDirectory, new Dictionary<string, string>(), arguments);

    /// <summary>Starts a process with <paramref name="environment"/> added to this one's environment.</summary>
    public static TestProcess Start(string fileName, string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new TestProcess(start);
    }

    /// <summary>
    /// Starts the built sample (<c>samples/Analytics.Sample</c>) on 127.0.0.1, port 0, with <paramref name="arguments"/>
    /// added, and waits until it prints where it listens. Returns the process and its origin, <c>http://127.0.0.1:PORT</c>.
    /// </summary>
    public static Task<(TestProcess Process, string Origin)> StartSampleAsync(params string[] arguments) => StartSampleUnderAsync([], arguments);

    /// <summary>
    /// Starts the sample as <see cref="StartSampleAsync"/> does, through <paramref name="launcher"/>: a command that ends by
    /// running the command line it is given (<c>unshare -rm sh -c '… exec "$@"' …</c>), so the sample runs in the
    /// launcher's process and its id is the launcher's.
    /// </summary>
    public static async Task<(TestProcess Process, string Origin)> StartSampleUnderAsync(IReadOnlyList<string> launcher, params string[] arguments)
    {
        var sample = Path.Combine(RepositoryRoot(), "samples", "Analytics.Sample", "bin", Configuration, "net10.0", "Analytics.Sample.dll");
        Assert.True(File.Exists(sample), $"the sample should have been built at {sample}");
        string[] command = [.. launcher, "dotnet", sample, "--urls", "http://127.0.0.1:0", .. arguments];
        var process = Start(command[0], Path.GetDirectoryName(sample)!, command[1..]);
        var listening = await process.WaitForLineAsync(l => SampleListening().IsMatch(l), TimeSpan.FromSeconds(60), "the sample prints its address");
        return (process, SampleListening().Match(listening).Groups["origin"].Value);
    }

    /// <summary>Runs a command to its end, failing when it fails or outlives <paramref name="timeout"/>; returns its output.</summary>
    public static async Task<string> RunAsync(string workingDirectory, TimeSpan timeout, string fileName, params string[] arguments)
    {
        await using var process = Start(fileName, workingDirectory, arguments);
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process._process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"'{fileName} {string.Join(' ', arguments)}' did not finish in {timeout.TotalSeconds} s:\n{process.Transcript}");
        }

        process._process.WaitForExit(); // drains the redirected output
        Assert.True(process._process.ExitCode == 0, $"'{fileName} {string.Join(' ', arguments)}' exited {process._process.ExitCode}:\n{process.Transcript}");
        return process.Transcript;
    }

    /// <summary>Waits until a line of output matches, failing early if the process exits first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string because)
    {
        await Wait.UntilAsync(() => _output.Any(match) || _process.HasExited, timeout, because);
        Assert.False(_process.HasExited && !_output.Any(match), $"the process exited before {because}:\n{Transcript}");
        return _output.First(match);
    }

    /// <summary>
    /// Kills the process with SIGKILL, as a crash or the OOM killer would: no shutdown, no drain, open files left as they
    /// are. Returns once it is gone.
    /// </summary>
    public async Task KillHardAsync()
    {
        _process.Kill(); // SIGKILL on Unix, this process only
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"listening on (?<origin>http://127\.0\.0\.1:\d+)")]
    private static partial System.Text.RegularExpressions.Regex SampleListening();

    /// <summary>Finds a tool on the PATH, or fails naming the package that provides it: ./test.sh installs both.</summary>
    public static string RequiredTool(string name, string package)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
        Assert.True(found is not null, $"'{name}' is not installed ({package}): run ./test.sh, which installs it.");
        return found;
    }

    /// <summary>Gets the folder holding Analytics.sln, from where this file was compiled (tests/Analytics.Testing), whoever calls.</summary>
    public static string RepositoryRoot() => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", ".."));

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
