using System.Diagnostics;
using System.Globalization;

namespace Analytics.Benchmarks;

/// <summary>One capacity run's window: what was offered, what PostgreSQL and this process spent, how long commits took.</summary>
internal sealed record CapacityResult(
    int Instances,
    int Rate,
    double RawSampleRate,
    CapacityCpu Begin,
    CapacityCpu End,
    long OfferedInWindow,
    int Batches,
    double CommitP50,
    double CommitP99,
    long RawRows,
    long Lost)
{
    public double Seconds => Stopwatch.GetElapsedTime(Begin.Timestamp, End.Timestamp).TotalSeconds;

    /// <summary>Gets the cluster's CPU over the window, in % of one core.</summary>
    public double PostgresPercent => (End.PostgresTicks - Begin.PostgresTicks) / CapacityCpu.TicksPerSecond / Seconds * 100;

    public double ClientPercent => (End.Client - Begin.Client).TotalSeconds / Seconds * 100;

    /// <summary>Gets how busy the machine's cores were, in % of all of them: near 100 the run measured a queue, not a cost.</summary>
    public double MachineBusyPercent =>
        (double)(End.MachineBusyTicks - Begin.MachineBusyTicks) / (End.MachineTicks - Begin.MachineTicks) * 100;

    public double RequestsPerSecond => OfferedInWindow / Seconds;

    /// <summary>Gets the cluster's CPU milliseconds per 1 000 requests offered in the window.</summary>
    public double PostgresMsPerThousand =>
        (End.PostgresTicks - Begin.PostgresTicks) / CapacityCpu.TicksPerSecond * 1_000 / (OfferedInWindow / 1_000.0);

    public string Mode => RawSampleRate == 0 ? "rollups only" : $"{RawSampleRate * 100:0.##} % raw";

    public string Row() => string.Create(
        CultureInfo.InvariantCulture,
        $"| {Instances} | {Mode} | {Rate} ({RequestsPerSecond:0} in all) | {PostgresPercent:0.0} % | " +
        $"{(OfferedInWindow > 0 ? PostgresMsPerThousand.ToString("0.00", CultureInfo.InvariantCulture) : "—")} | " +
        $"{(Batches > 0 ? $"{CommitP50:0.0} / {CommitP99:0.0}" : "—")} | {Batches / Seconds / Instances:0.00} | {End.PostgresProcesses} | {ClientPercent:0.0} % | " +
        $"{MachineBusyPercent:0} % | {RawRows} | {Lost} |");
}
