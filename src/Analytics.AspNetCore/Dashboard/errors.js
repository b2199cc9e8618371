// The errors panel: error groups by fingerprint, and a dialog with one group's stack trace, recent occurrences (with
// trace ids) and a button to mark it resolved. Uses ./api/errors/{fingerprint} and ./api/errors/{fingerprint}/resolve.
var RequestAnalyticsErrors = (function () {
  'use strict';
  const F = RequestAnalyticsFormat;
  const { cell, emptyRow } = RequestAnalyticsTable;
  let api = null;
  let changed = () => {};

  function state(e) {
    if (e.regressed) return { text: 'regressed', className: 'badge bad' };
    if (e.resolved) return { text: 'resolved', className: 'badge ok' };
    return { text: 'open', className: 'badge' };
  }

  /** Fills the errors table; a row's button opens the group's detail. */
  function render(body, errors, apiUrl, onChange) {
    api = apiUrl;
    changed = onChange;
    body.textContent = '';
    for (const e of errors.slice(0, 20)) {
      const row = body.insertRow();
      const what = row.insertCell();
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'route-link error-link';
      button.textContent = e.exceptionType ? `${e.exceptionType}${e.message ? ': ' + e.message : ''}` : `HTTP ${e.statusCode}`;
      button.title = 'Show the stack trace and recent occurrences';
      button.dataset.fingerprint = e.fingerprint;
      button.disabled = !e.fingerprint;
      button.addEventListener('click', () => open(e.fingerprint));
      what.className = 'path';
      what.appendChild(button);
      cell(row, `${e.method} ${e.route}`, 'mono path');
      cell(row, String(e.statusCode), `status s${String(e.statusCode)[0]}`);
      cell(row, e.severity, `badge sev-${e.severity}`);
      const s = state(e);
      cell(row, s.text, s.className);
      cell(row, F.count(e.count), 'num');
      cell(row, F.time(e.lastSeen, true));
    }
    if (!errors.length) emptyRow(body, 7, 'No errors in this range');
  }

  async function call(fingerprint, method) {
    const path = method === 'POST' ? `errors/${fingerprint}/resolve` : `errors/${fingerprint}`;
    const response = await fetch(new URL(path, api), { method, headers: { accept: 'application/json' } });
    const body = await response.json();
    if (!response.ok) throw new Error(body.title || response.statusText);
    return body;
  }

  async function open(fingerprint) {
    const dialog = document.getElementById('error-detail');
    const problem = dialog.querySelector('.problem');
    problem.hidden = true;
    try {
      show(dialog, await call(fingerprint, 'GET'));
      if (!dialog.open) dialog.showModal();
    } catch (error) {
      problem.textContent = `Could not load the error group: ${error.message}`;
      problem.hidden = false;
      if (!dialog.open) dialog.showModal();
    }
  }

  function show(dialog, detail) {
    const g = detail.group;
    dialog.querySelector('h2').textContent = g.exceptionType || `HTTP ${g.statusCode}`;
    const s = state({ resolved: g.resolvedAt != null, regressed: g.regressed });
    dialog.querySelector('.summary').textContent =
      `${g.method} ${g.route} · ${F.count(g.count)} since ${F.time(g.firstSeen, true)} · last ${F.time(g.lastSeen, true)} · ${g.severity} · ${s.text}`;
    dialog.querySelector('.message').textContent = g.message || '';
    dialog.querySelector('pre').textContent = detail.stackTrace || 'No stack trace: this failure had no exception.';
    const body = dialog.querySelector('tbody');
    body.textContent = '';
    for (const o of detail.occurrences) {
      const row = body.insertRow();
      cell(row, F.time(o.time, true));
      cell(row, `${o.method} ${o.path}`, 'mono path');
      cell(row, String(o.statusCode), `status s${String(o.statusCode)[0]}`);
      cell(row, F.duration(o.duration), 'num');
      cell(row, o.traceId || '—', 'mono');
    }
    const resolve = dialog.querySelector('.resolve');
    resolve.hidden = g.resolvedAt != null;
    resolve.onclick = async () => {
      resolve.disabled = true;
      try {
        show(dialog, await call(g.fingerprint, 'POST'));
        changed();
      } finally {
        resolve.disabled = false;
      }
    };
  }

  function init() {
    const dialog = document.getElementById('error-detail');
    dialog.querySelector('.close').addEventListener('click', () => dialog.close());
  }

  return { render, init };
})();
