using Analytics.Storage;

namespace Analytics.Uptime;

/// <summary>
/// Turns the health-check samples of a range into each check's uptime and incidents. Nothing about incidents is stored:
/// they are recomputed from the samples on every read, so a changed <see cref="RequestAnalyticsOptions.UptimeFailureThreshold"/>
/// applies to the past too.
/// </summary>
internal static class UptimeReport
{
    /// <summary>Builds one <see cref="UptimeCheck"/> per check name, ordered by name (ordinal).</summary>
    /// <param name="samples">The samples of the range, in any order.</param>
    /// <param name="failureThreshold">
    /// How many unhealthy reports in a row from one instance open an incident, and how many others in a row close it.
    /// </param>
    public static IReadOnlyList<UptimeCheck> Build(IReadOnlyList<HealthCheckSample> samples, int failureThreshold)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(failureThreshold);
        return samples
            .GroupBy(s => s.Check, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Check(g.Key, [.. g.OrderBy(s => s.Time)], failureThreshold))
            .ToArray();
    }

    private static UptimeCheck Check(string name, List<HealthCheckSample> samples, int failureThreshold)
    {
        var incidents = new List<UptimeIncident>();
        foreach (var instance in samples.GroupBy(s => s.Instance, StringComparer.Ordinal))
        {
            incidents.AddRange(Incidents(instance, failureThreshold));
        }

        var (status, lastChange) = LatestStatus(samples);
        return new UptimeCheck
        {
            Check = name,
            Status = status,
            UptimePercent = samples.Count(s => s.Status != UptimeStatus.Unhealthy) * 100.0 / samples.Count,
            LastChange = lastChange,
            Incidents = [.. incidents.OrderByDescending(i => i.Start).ThenBy(i => i.Instance, StringComparer.Ordinal)],
        };
    }

    /// <summary>
    /// One instance's incidents, its samples oldest first: one opens at the first of <paramref name="threshold"/>
    /// unhealthy reports in a row and closes at the first of as many others in a row (degraded counts as up), so a
    /// blip shorter than the threshold neither opens nor closes one.
    /// </summary>
    private static IEnumerable<UptimeIncident> Incidents(IEnumerable<HealthCheckSample> samples, int threshold)
    {
        UptimeIncident? open = null;
        HealthCheckSample? runStart = null;
        int run = 0;
        foreach (var sample in samples)
        {
            // While no incident is open, the run counted is of unhealthy reports; while one is, of the others.
            bool counts = (sample.Status == UptimeStatus.Unhealthy) == (open is null);
            if (!counts)
            {
                run = 0;
                continue;
            }

            if (run++ == 0)
            {
                runStart = sample;
            }

            if (run < threshold)
            {
                continue;
            }

            run = 0;
            if (open is null)
            {
                open = new UptimeIncident
                {
                    Instance = sample.Instance, Start = runStart!.Time, Status = UptimeStatus.Unhealthy, Description = runStart.Description,
                };
            }
            else
            {
                yield return open with { End = runStart!.Time };
                open = null;
            }
        }

        if (open is not null)
        {
            yield return open;
        }
    }

    /// <summary>
    /// The check's status (the worst of each instance's latest report) and when it began: the first report after which
    /// that status held without a break, or <see langword="null"/> when it held over the whole range.
    /// </summary>
    private static (UptimeStatus Status, DateTimeOffset? LastChange) LatestStatus(List<HealthCheckSample> samples)
    {
        var latest = new Dictionary<string, UptimeStatus>(StringComparer.Ordinal);
        var timeline = new List<(DateTimeOffset Time, UptimeStatus Status)>(samples.Count);
        foreach (var sample in samples)
        {
            latest[sample.Instance] = sample.Status;
            timeline.Add((sample.Time, latest.Values.Min())); // Unhealthy (0) is the worst
        }

        var status = timeline[^1].Status;
        int i = timeline.Count - 1;
        while (i > 0 && timeline[i - 1].Status == status)
        {
            i--;
        }

        return (status, i == 0 ? null : timeline[i].Time);
    }
}
