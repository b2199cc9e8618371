// Deltas against the compared range (compare=previous-period|previous-release): the text ("+12 %", "−3.1 ms") and its
// direction. Worse is red (more errors, higher latency), better green; volumes (requests, users, bytes) are neutral,
// since more traffic is neither good nor bad by itself.
var RequestAnalyticsCompare = (function () {
  'use strict';
  const F = RequestAnalyticsFormat;
  const MINUS = '\u2212';

  const signed = (n, text) => (n > 0 ? '+' : n < 0 ? MINUS : '±') + text;

  /** How a figure changed: { text, direction: 'worse' | 'better' | 'neutral', title }. */
  function delta(kind, current, previous) {
    if (previous == null || current == null || !isFinite(previous) || !isFinite(current)) return null;
    const diff = current - previous;
    let text;
    switch (kind) {
      case 'latency':
        text = signed(diff, F.duration(Math.abs(diff)));
        break;
      case 'rate':
        // Percentage points: an error rate going from 1 % to 2 % is "+1 pt", not "+100 %".
        text = signed(diff, `${F.rate(Math.abs(diff) * 100)} pt`);
        break;
      default:
        // Relative change of a volume; from nothing, the absolute amount (a percentage of 0 means nothing).
        text = previous > 0
          ? signed(diff, `${F.rate(Math.abs(diff / previous) * 100)} %`)
          : signed(diff, kind === 'bytes' ? F.bytes(Math.abs(diff)) : F.count(Math.abs(diff)));
        break;
    }

    const worseWhenUp = kind === 'latency' || kind === 'rate';
    const direction = !worseWhenUp || diff === 0 ? 'neutral' : diff > 0 ? 'worse' : 'better';
    const format = { latency: F.duration, rate: F.percent, bytes: F.bytes }[kind] || F.count;
    return { text, direction, title: `was ${format(previous)}` };
  }

  /** A span with the delta, or nothing when there is nothing to compare. */
  function badge(kind, current, previous) {
    const d = delta(kind, current, previous);
    if (!d) return null;
    const span = document.createElement('span');
    span.className = `delta ${d.direction}`;
    span.textContent = d.text;
    span.title = d.title;
    return span;
  }

  /**
   * A number cell of a table row, followed by its delta when comparing. An item with no figures in the compared range
   * (`item.previous` null) gets "new" on its count, and nothing on the rest.
   */
  function numberCell(row, text, comparing, kind, item, key) {
    const c = row.insertCell();
    c.className = 'num';
    c.textContent = text;
    if (!comparing) return c;
    const previous = item.previous;
    const span = previous ? badge(kind, item[key], previous[key]) : null;
    if (span) c.append(' ', span);
    else if (!previous && kind === 'count') c.append(' ', Object.assign(document.createElement('span'), { className: 'delta none', textContent: 'new' }));
    return c;
  }

  /** Shows a delta in an element (a card's line): its text and direction, or a muted note when there is none. */
  function show(element, comparing, kind, current, previous, nothing) {
    element.hidden = !comparing;
    if (!comparing) return;
    const d = delta(kind, current, previous);
    element.className = d ? `delta ${d.direction}` : 'delta none';
    element.textContent = d ? d.text : nothing;
    element.title = d ? d.title : '';
  }

  /** The overview cards' delta lines: element id, kind, figure. */
  const CARDS = [
    ['delta-requests', 'count', (o) => o.totalRequests],
    ['delta-error-rate', 'rate', (o) => o.errorRate],
    ['delta-p50', 'latency', (o) => o.latency.p50],
    ['delta-p95', 'latency', (o) => o.latency.p95],
    ['delta-p99', 'latency', (o) => o.latency.p99],
    ['delta-users', 'count', (o) => o.uniqueUsers],
    ['delta-bytes-out', 'bytes', (o) => o.bytesOut],
    ['delta-connections', 'count', (o) => o.connections?.count ?? 0],
  ];

  /** Shows every card's delta against `overview.previous`, or hides them when no comparison is on. */
  function cards(overview, compare) {
    const previous = overview.previous;
    for (const [id, kind, figure] of CARDS) {
      const element = document.getElementById(id);
      // Rates and latencies of a range without requests are not figures to compare with.
      const none = !previous ? 'nothing to compare' : kind !== 'count' && kind !== 'bytes' && !previous.totalRequests ? 'no requests then' : '';
      show(element, Boolean(compare), kind, figure(overview), none ? null : figure(previous), none);
      if (compare) element.title = `${element.title ? element.title + ' ' : ''}${label(compare)}`.trim();
    }
  }

  const LABELS = { 'previous-period': 'the previous period', 'previous-release': 'the previous release' };

  /** "vs the previous period". */
  function label(compare) {
    return LABELS[compare] ? `vs ${LABELS[compare]}` : '';
  }

  return { delta, badge, show, label, numberCell, cards };
})();
