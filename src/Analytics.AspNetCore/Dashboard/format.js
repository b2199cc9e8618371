// Number, time and size formatting for the dashboard: units, thousands separators, ms/s.
(function () {
  'use strict';
  // Created on first use, not at load: the first Intl.NumberFormat costs 15–30 ms in Chromium (locale data), which
  // would otherwise delay the dashboard's first API calls; by first use the calls are already on their way.
  const lazy = (options) => { let f = null; return { format: (n) => (f ??= new Intl.NumberFormat(undefined, options)).format(n) }; };
  const integer = lazy({ maximumFractionDigits: 0 });
  const oneDecimal = lazy({ maximumFractionDigits: 1 });
  const twoDigits = lazy({ maximumSignificantDigits: 3 });

  function count(n) {
    if (n == null || !isFinite(n)) return '–';
    if (Math.abs(n) >= 1e9) return oneDecimal.format(n / 1e9) + ' B';
    if (Math.abs(n) >= 1e6) return oneDecimal.format(n / 1e6) + ' M';
    return integer.format(n);
  }

  function rate(n) {
    return n == null || !isFinite(n) ? '–' : (n >= 100 ? integer.format(n) : twoDigits.format(n));
  }

  function percent(fraction) {
    if (fraction == null || !isFinite(fraction)) return '–';
    const p = fraction * 100;
    return (p === 0 ? '0' : p < 0.1 ? '<0.1' : oneDecimal.format(p)) + ' %';
  }

  /** Milliseconds as µs, ms or s, with about three significant digits. */
  function duration(ms) {
    if (ms == null || !isFinite(ms)) return '–';
    if (ms === 0) return '0 ms';
    if (ms < 1) return twoDigits.format(ms * 1000) + ' µs';
    if (ms < 1000) return twoDigits.format(ms) + ' ms';
    if (ms < 60000) return twoDigits.format(ms / 1000) + ' s';
    return oneDecimal.format(ms / 60000) + ' min';
  }

  function bytes(n) {
    if (n == null || !isFinite(n)) return '–';
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let i = 0;
    while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? integer.format(n) : twoDigits.format(n)) + ' ' + units[i];
  }

  function time(iso, withDate) {
    const d = new Date(iso);
    return withDate
      ? d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
      : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }

  /** A short label for a chart axis, coarser for longer ranges. */
  function axisTime(date, spanMs) {
    if (spanMs <= 36 * 3600e3) return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
    return date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  }

  globalThis.RequestAnalyticsFormat = { count, rate, percent, duration, bytes, time, axisTime };
})();
