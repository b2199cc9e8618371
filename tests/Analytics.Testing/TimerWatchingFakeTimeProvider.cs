using Microsoft.Extensions.Time.Testing;

namespace Analytics.Testing;

/// <summary>
/// Microsoft's <see cref="FakeTimeProvider"/> (its clock, its timers, its <see cref="FakeTimeProvider.Advance"/>), and
/// what a test must know before it moves that clock: which timers are waiting, and when each is due. A worker arms its
/// timer on its own thread, at a moment the test cannot otherwise see; moving the clock before that would arm the timer
/// from the moved time instead. <see cref="FakeTimeProvider"/> keeps its timers to itself (dotnet/extensions#7515 asks
/// for a public view), so this only watches them: every timer is still one of Microsoft's, fired by it.
/// </summary>
/// <remarks>
/// Due times are reckoned without <see cref="FakeTimeProvider.AutoAdvanceAmount"/>, and a periodic timer's next one as
/// its last plus its period: leave <see cref="FakeTimeProvider.AutoAdvanceAmount"/> at zero, and the clock unmoved from
/// inside a timer's callback, where this is used.
/// </remarks>
public sealed class TimerWatchingFakeTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Lock _gate = new();
    private readonly HashSet<WatchedTimer> _pending = [];

    /// <summary>Gets how many timers are waiting to fire: lets a test know that a worker has started its wait.</summary>
    public int PendingTimers
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>
    /// Gets whether a timer is waiting to fire exactly at <paramref name="at"/>: lets a test know that a worker has
    /// scheduled a particular wait (a retry after a <c>Retry-After</c>, say) before the clock is moved past it.
    /// </summary>
    public bool HasTimerDueAt(DateTimeOffset at)
    {
        lock (_gate)
        {
            return _pending.Any(t => t.DueAt == at);
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new WatchedTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private ITimer CreateInnerTimer(TimerCallback callback) =>
        base.CreateTimer(callback, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    /// <summary>One of Microsoft's timers, whose schedule is noted as it is changed, fires and is disposed.</summary>
    private sealed class WatchedTimer : ITimer
    {
        private readonly TimerWatchingFakeTimeProvider _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private readonly ITimer _inner;
        private TimeSpan _period;
        private long _fired;

        public WatchedTimer(TimerWatchingFakeTimeProvider owner, TimerCallback callback, object? state)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
            _inner = owner.CreateInnerTimer(Fire);
        }

        /// <summary>Gets when the timer fires next; read under the owner's lock.</summary>
        public DateTimeOffset DueAt { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            long firedBefore;
            lock (_owner._gate)
            {
                _owner._pending.Remove(this);
                _period = period;
                firedBefore = _fired;
            }

            // Microsoft's timer counts from the clock as it is now. It is armed before it is shown as pending, so that a
            // test that waits to see it never moves the clock before it is armed; one due at once fires in Change itself.
            var now = _owner.GetUtcNow();
            var changed = _inner.Change(dueTime, period);
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                lock (_owner._gate)
                {
                    var firedSince = _fired - firedBefore;
                    if (firedSince == 0 || IsPeriodic(period))
                    {
                        DueAt = now + dueTime + (period * firedSince);
                        _owner._pending.Add(this);
                    }
                }
            }

            return changed;
        }

        public void Dispose()
        {
            lock (_owner._gate)
            {
                _owner._pending.Remove(this);
            }

            _inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private static bool IsPeriodic(TimeSpan period) => period > TimeSpan.Zero && period != Timeout.InfiniteTimeSpan;

        private void Fire(object? ignored)
        {
            lock (_owner._gate)
            {
                _fired++;
                if (!IsPeriodic(_period))
                {
                    _owner._pending.Remove(this);
                }
                else if (_owner._pending.Contains(this))
                {
                    DueAt += _period;
                }
            }

            _callback(_state);
        }
    }
}
