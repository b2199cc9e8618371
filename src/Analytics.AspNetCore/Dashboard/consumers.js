// The top-consumers panel: who calls the API (./api/consumers), with requests, error rate, p95 and when each was last
// seen, and their deltas when a comparison is on. A consumer's button filters the whole page by it.
var RequestAnalyticsConsumers = (function () {
  'use strict';
  const F = RequestAnalyticsFormat;
  const D = RequestAnalyticsCompare;
  const { cell, emptyRow } = RequestAnalyticsTable;

  /** Must match the server's RequestAnalyticsDefaults.OtherConsumer. */
  const OTHER = '(other)';
  const EMPTY = 'No consumers recorded: set RequestAnalytics:ConsumerHeader or ConsumerClaim, or call ResolveConsumer(...)';

  /**
   * Fills the table; `pick(consumer)` filters the page by a consumer, `selected` is the one the page is filtered by,
   * `anyRequests` whether the range had requests at all (else the empty table says so, not how to name consumers).
   */
  function render(body, consumers, comparing, selected, anyRequests, pick) {
    body.textContent = '';
    for (const c of consumers) {
      const row = body.insertRow();
      row.dataset.consumer = c.consumer;
      const name = row.insertCell();
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'route-link';
      button.textContent = c.consumer;
      button.title = c.consumer === OTHER
        ? 'The consumers past the per-bucket limit (RequestAnalytics:MaxConsumersPerBucket), counted together'
        : `Show only ${c.consumer}`;
      if (c.consumer === selected) button.setAttribute('aria-pressed', 'true');
      button.addEventListener('click', () => pick(c.consumer));
      name.appendChild(button);
      D.numberCell(row, F.count(c.count), comparing, 'count', c, 'count');
      D.numberCell(row, F.percent(c.errorRate), comparing, 'rate', c, 'errorRate');
      D.numberCell(row, F.duration(c.p95), comparing, 'latency', c, 'p95');
      cell(row, F.time(c.lastSeen, true));
    }
    if (!consumers.length) {
      emptyRow(body, 5, selected ? `No requests from ${selected} in this range` : anyRequests ? EMPTY : 'No requests in this range');
    }
  }

  /** The panel for one load: the table, or the reason it could not be read ({ failed }); the filter's suggestions. */
  function show(consumers, state, anyRequests, pick) {
    const body = document.getElementById('consumers').tBodies[0];
    document.getElementById('consumers-note').textContent = state.compare ? D.label(state.compare) : '';
    if (consumers.failed) {
      body.textContent = '';
      emptyRow(body, 5, `Could not load the consumers: ${consumers.failed}`);
      return;
    }
    render(body, consumers, Boolean(state.compare), state.consumer, anyRequests, pick);
    const list = document.getElementById('consumer-list');
    list.textContent = '';
    for (const c of consumers) list.appendChild(Object.assign(document.createElement('option'), { value: c.consumer }));
  }

  return { render, show };
})();
