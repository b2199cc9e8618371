using System.Globalization;

namespace Analytics.Benchmarks;

/// <summary>
/// The capacity model fitted by least squares to one mode's runs: PostgreSQL CPU % (of one core) =
/// <c>a + instances × (f + rate × k)</c>. <c>a</c> is what the cluster spends whoever writes (checkpointer, WAL writer,
/// autovacuum), <c>f</c> what an instance costs at any rate (its batch a flush interval, its health samples), <c>k</c> what
/// a request adds. With a single rate only <c>a + instances × b</c> can be fitted, b = f + rate × k at that rate.
/// </summary>
internal static class CapacityModel
{
    // What "saturates" means here: the cluster alone would keep both of the machine's cores busy.
    private const double TwoCores = 200;

    public static string Fit(CapacityResult[] all)
    {
        var mode = all.Length > 0 ? all[0].Mode : "";

        // Instances offered nothing write no batch: what they cost (health samples, leadership) is reported on its own,
        // since the model's per-instance term is what an instance costs once it writes a batch every flush interval.
        var idle = string.Join("", all.Where(r => r.Rate == 0).Select(r => string.Create(CultureInfo.InvariantCulture,
            $"{mode}, {r.Instances} idle instances: {r.PostgresPercent / r.Instances:0.000} % a core each. ")));
        var runs = all.Where(r => r.Rate > 0).ToArray();
        var rates = runs.Select(r => r.Rate).Distinct().Order().ToArray();
        if (runs.Select(r => r.Instances).Distinct().Count() < 2)
        {
            return $"{idle}{mode}: one instance count, no fit.";
        }

        if (rates.Length == 1)
        {
            var (a, b) = (Solve(runs, r => [1, r.Instances]) is [var a1, var b1] ? (a1, b1) : default);
            return idle + string.Create(CultureInfo.InvariantCulture,
                $"{mode} at {rates[0]}/s: PostgreSQL CPU % = {a:0.0} + {b:0.00} × instances ({b * 10:0.0} ms of CPU per instance-second; " +
                $"{b * 10 / rates[0] * 1_000:0.00} ms per 1 000 requests); 200 % at {(TwoCores - a) / b:0} instances.");
        }

        var fit = Solve(runs, r => [1, r.Instances, (double)r.Instances * r.Rate]);
        var (fixedPart, perInstance, perRequest) = (fit[0], fit[1], fit[2]);
        var saturation = string.Join(", ", rates.Select(rate =>
            string.Create(CultureInfo.InvariantCulture, $"{(TwoCores - fixedPart) / (perInstance + (rate * perRequest)):0} at {rate}/s")));
        return idle + string.Create(CultureInfo.InvariantCulture,
            $"{mode}: PostgreSQL CPU % = {fixedPart:0.0} + instances × ({perInstance:0.000} + rate × {perRequest:0.000000}): " +
            $"f = {perInstance * 10:0.00} ms of CPU per instance-second, k = {perRequest * 10 * 1_000:0.00} ms per 1 000 requests; " +
            $"200 % at {saturation} instances.");
    }

    /// <summary>Ordinary least squares of PostgreSQL CPU % on the given regressors (normal equations, Gaussian elimination).</summary>
    private static double[] Solve(CapacityResult[] runs, Func<CapacityResult, double[]> regressors)
    {
        var rows = runs.Select(regressors).ToArray();
        var n = rows[0].Length;
        var m = new double[n, n + 1];
        for (var r = 0; r < rows.Length; r++)
        {
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    m[i, j] += rows[r][i] * rows[r][j];
                }

                m[i, n] += rows[r][i] * runs[r].PostgresPercent;
            }
        }

        for (var c = 0; c < n; c++)
        {
            for (var r = c + 1; r < n; r++)
            {
                var factor = m[r, c] / m[c, c];
                for (var j = c; j <= n; j++)
                {
                    m[r, j] -= factor * m[c, j];
                }
            }
        }

        var x = new double[n];
        for (var i = n - 1; i >= 0; i--)
        {
            var sum = m[i, n];
            for (var j = i + 1; j < n; j++)
            {
                sum -= m[i, j] * x[j];
            }

            x[i] = sum / m[i, i];
        }

        return x;
    }
}
