// The uptime panel: each of the app's health checks (./api/uptime, from what its health-check publisher reported in
// the range) with its latest status, uptime and when that status began, then the incidents, newest first: when a check
// went down on an instance (and what its first failed report said), and when it came back or that it is still down.
var RequestAnalyticsUptime = (function () {
  'use strict';
  const F = RequestAnalyticsFormat;
  const { cell, emptyRow } = RequestAnalyticsTable;
  const INCIDENTS = 20;
  const BADGES = { healthy: 'badge ok', degraded: 'badge warn', unhealthy: 'badge bad' };
  const EMPTY = 'No health-check reports in this range: register checks with AddHealthChecks() and their reports are recorded';

  let percent = null;

  /** 0 to 100 with up to two decimals, rounded down: 99.999 % of reports is not 100 %. */
  function uptime(value) {
    if (value == null || !isFinite(value)) return '–';
    percent ??= new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
    return `${percent.format(Math.floor(value * 100 + 1e-6) / 100)} %`;
  }

  function renderChecks(body, checks) {
    body.textContent = '';
    for (const c of checks) {
      const row = body.insertRow();
      row.dataset.check = c.check;
      cell(row, c.check, 'mono');
      cell(row, c.status, BADGES[c.status] || 'badge');
      cell(row, uptime(c.uptimePercent), 'num');
      const since = cell(row, c.lastChange ? F.time(c.lastChange, true) : 'no change in range', c.lastChange ? '' : 'muted');
      if (c.lastChange) since.dataset.time = c.lastChange;
      const open = c.incidents.filter((i) => !i.end).length;
      cell(row, `${F.count(c.incidents.length)}${open ? ` (${F.count(open)} ongoing)` : ''}`, open ? 'num bad' : 'num');
    }
    if (!checks.length) emptyRow(body, 5, EMPTY);
  }

  function renderIncidents(body, checks) {
    body.textContent = '';
    const incidents = checks.flatMap((c) => c.incidents.map((i) => ({ ...i, check: c.check })))
      .sort((a, b) => Date.parse(b.start) - Date.parse(a.start));
    for (const i of incidents.slice(0, INCIDENTS)) {
      const row = body.insertRow();
      row.dataset.check = i.check;
      row.dataset.start = i.start;
      row.dataset.end = i.end || '';
      const what = cell(row, i.check, 'mono');
      if (i.description) {
        const description = Object.assign(document.createElement('div'), { className: 'muted description', textContent: i.description });
        description.title = i.description;
        what.appendChild(description);
      }
      cell(row, i.instance, 'mono');
      cell(row, F.time(i.start, true));
      cell(row, i.end ? F.time(i.end, true) : 'ongoing', i.end ? '' : 'badge bad');
      cell(row, F.duration((i.end ? Date.parse(i.end) : Date.now()) - Date.parse(i.start)), 'num');
    }
    if (!incidents.length) emptyRow(body, 5, checks.length ? 'No incidents in this range' : 'No health checks, so no incidents');
    document.getElementById('incidents-note').textContent =
      incidents.length > INCIDENTS ? `(the newest ${INCIDENTS} of ${F.count(incidents.length)})` : '';
  }

  /**
   * Shows the checks once `call` (the ./api/uptime answer) settles; a failure is said in the panel only. isCurrent
   * tells whether a newer load started meanwhile, whose answer then wins.
   */
  async function show(call, isCurrent) {
    const checks = document.getElementById('uptime-checks').tBodies[0];
    const incidents = document.getElementById('uptime-incidents').tBodies[0];
    try {
      const answer = await call;
      if (!isCurrent()) return;
      renderChecks(checks, answer);
      renderIncidents(incidents, answer);
    } catch (error) {
      if (!isCurrent()) return;
      checks.textContent = '';
      incidents.textContent = '';
      emptyRow(checks, 5, `Could not load the health checks: ${error.message}`);
    }
  }

  return { show };
})();
