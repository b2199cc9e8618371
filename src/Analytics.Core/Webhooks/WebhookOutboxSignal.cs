namespace Analytics.Webhooks;

/// <summary>Wakes the dispatcher when new messages are in the outbox, so it need not wait for its next poll.</summary>
internal sealed class WebhookOutboxSignal
{
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wakes whoever waits: new messages are in the outbox.</summary>
    public void Notify() =>
        Interlocked.Exchange(ref _signal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))
            .TrySetResult();

    /// <summary>
    /// Completes at the next <see cref="Notify"/>; take it before looking at the outbox, so a message queued meanwhile
    /// is not missed.
    /// </summary>
    public Task WaitAsync() => Volatile.Read(ref _signal).Task;
}
