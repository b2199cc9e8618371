// The process-health panel: CPU over time (mean and peak per bucket) and the latest memory, GC and thread-pool values,
// from ./api/health-metrics. With several instances, each has its own line and summary.
var RequestAnalyticsHealth = (function () {
  'use strict';
  const F = RequestAnalyticsFormat;
  const C = RequestAnalyticsCharts;
  const COLORS = ['#3563e9', '#e0522a', '#1f9d55', '#9b51e0', '#c98a00', '#0e9fb5'];

  function render(chart, summary, data) {
    const series = data.instances.slice(0, COLORS.length);
    const times = [...new Set(series.flatMap((s) => s.points.map((p) => p.time)))].sort();
    const byTime = series.map((s) => new Map(s.points.map((p) => [p.time, p])));
    C.lines(chart, times.map((t) => Date.parse(t)),
      series.map((s, i) => ({ color: COLORS[i], values: times.map((t) => byTime[i].get(t)?.cpuPercent?.avg ?? null) })),
      (v) => `${F.rate(v)} %`,
      (k) => series.map((s, i) => `${s.instance || 'this host'} CPU ${F.rate(byTime[i].get(times[k])?.cpuPercent?.avg)} %`).join(' · '),
      'No health samples in this range');
    summary.textContent = '';
    for (const [i, s] of series.entries()) {
      const last = s.points[s.points.length - 1];
      const item = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = COLORS[i];
      item.append(swatch,
        `${s.instance || 'this host'}: CPU ${F.rate(last.cpuPercent?.avg)} % (peak ${F.rate(last.cpuPercent?.max)} %) · ` +
        `working set ${F.bytes(last.workingSetBytes?.max)} · GC heap ${F.bytes(last.gcHeapBytes?.max)} · ` +
        `${F.rate(last.gcCollections?.avg)} GCs per sample · ${F.count(last.threadPoolThreads?.max)} pool threads, ` +
        `${F.count(last.threadPoolQueueLength?.max)} queued`);
      item.dataset.instance = s.instance;
      summary.appendChild(item);
    }
  }

  return { render };
})();
