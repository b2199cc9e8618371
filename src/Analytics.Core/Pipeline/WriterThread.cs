using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Analytics.Pipeline;

/// <summary>
/// The writer's own thread, outside the thread pool: <c>await thread.SwitchTo()</c> moves the rest of an async method
/// onto it. The writer folds records and runs the store's synchronous work (SQLite's whole transaction) there.
/// </summary>
/// <remarks>
/// Measured with <c>benchmarks/fixed-rate.sh</c>, server pinned to one core: on a pool thread a commit of 2 000 raw rows
/// held one of the pool's few workers (the pool keeps about one per core) for its whole length, and the requests queued
/// behind it: p99 at saturation with every raw row was 2.25× the app without analytics, 0.89× on a thread of its own
/// (2026-12-02, same run), where the operating system shares the core between the commit and the requests.
/// </remarks>
internal sealed class WriterThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = [];
    private readonly Thread _thread;

    public WriterThread(string name)
    {
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Gets whether the caller runs on this thread.</summary>
    public bool IsCurrent => Thread.CurrentThread == _thread;

    /// <summary>An awaitable that continues on this thread; completes at once when already on it.</summary>
    public SwitchAwaitable SwitchTo() => new(this);

    /// <summary>An awaitable that continues on <paramref name="thread"/>, or where it is when there is none.</summary>
    public static SwitchAwaitable SwitchTo(WriterThread? thread) => new(thread);

    /// <summary>Lets the thread end once the work already queued has run; later switches run inline.</summary>
    public void Dispose() => _work.CompleteAdding();

    private void Queue(Action continuation)
    {
        try
        {
            _work.Add(continuation);
        }
        catch (InvalidOperationException)
        {
            // Disposed: the writer has stopped, so nothing is left for the thread to run but this; the pool runs it.
            ThreadPool.UnsafeQueueUserWorkItem(static c => c(), continuation, preferLocal: false);
        }
    }

    private void Run()
    {
        foreach (var continuation in _work.GetConsumingEnumerable())
        {
            continuation();
        }
    }

    internal readonly struct SwitchAwaitable(WriterThread? thread)
    {
        public Awaiter GetAwaiter() => new(thread);
    }

    internal readonly struct Awaiter(WriterThread? thread) : ICriticalNotifyCompletion
    {
        public bool IsCompleted => thread is null || thread.IsCurrent;

        public void GetResult()
        {
        }

        public void OnCompleted(Action continuation)
        {
            var context = ExecutionContext.Capture();
            thread!.Queue(context is null ? continuation : () => ExecutionContext.Run(context, static c => ((Action)c!)(), continuation));
        }

        public void UnsafeOnCompleted(Action continuation) => thread!.Queue(continuation);
    }
}
