using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Analytics.Testing;

/// <summary>A child process whose output is captured line by line and which is killed, with its children, on dispose.</summary>
public sealed class TestProcess : IAsyncDisposable
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

    public string Transcript => string.Join('\n', _output);

    public static TestProcess Start(string fileName, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new TestProcess(start);
    }

    /// <summary>Runs a command to completion within <paramref name="timeout"/> and fails with its output if it does not exit 0.</summary>
    public static async Task RunAsync(string workingDirectory, TimeSpan timeout, string fileName, params string[] arguments)
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
    }

    /// <summary>Waits until a line of output matches, failing early if the process exits first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string because)
    {
        await Wait.UntilAsync(() => _output.Any(match) || _process.HasExited, timeout, because);
        Assert.False(_process.HasExited && !_output.Any(match), $"the process exited before {because}:\n{Transcript}");
        return _output.First(match);
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

    /// <summary>Gets the folder holding Analytics.sln.</summary>
    public static string RepositoryRoot([CallerFilePath] string path = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
