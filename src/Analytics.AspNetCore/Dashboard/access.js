// The "Access and limits" panel: the range's 401 and 403 answers by authorization policy and 429 answers by
// rate-limiting policy, and the app's routes never hit in the retained data. It joins ./api/routes?status=401 (403,
// 429) with ./api/endpoints by method and recorded route: the route api/routes names, which is not always the template
// the playground shows (MVC routes have no leading slash; static files and conventional routes are grouped).
var RequestAnalyticsAccess = (function () {
  'use strict';
  const F = RequestAnalyticsFormat;
  const { cell, emptyRow } = RequestAnalyticsTable;
  const NO_AUTHORIZATION = '(no policy)';
  const NO_LIMITER = '(no endpoint policy)';
  const NEVER_HIT_SHOWN = 100;

  const $ = (id) => document.getElementById(id);
  const key = (method, route) => `${method} ${route}`;

  /**
   * Renders the panel once the catalog and the three status counts have arrived; a failure is said in the panel only.
   * isCurrent tells whether a newer load started meanwhile, whose answer then wins.
   */
  async function render(catalog, counts, isCurrent) {
    const problem = document.querySelector('#access-panel .problem');
    try {
      const [endpoints, [unauthorized, forbidden, limited]] = await Promise.all([catalog, counts]);
      if (!isCurrent()) return;
      problem.hidden = true;
      const unique = uniqueEndpoints(endpoints.endpoints);
      renderAuthorization(unique, countsOf(unauthorized), countsOf(forbidden));
      renderRateLimiting(unique, countsOf(limited));
      renderNeverHit(unique, endpoints.endpoints.length);
    } catch (error) {
      if (!isCurrent()) return;
      problem.textContent = `Could not load the endpoints and their policies: ${error.message}`;
      problem.hidden = false;
    }
  }

  /** One entry per method and recorded route: every static file of a folder, say, is one route in the data. */
  function uniqueEndpoints(endpoints) {
    const unique = new Map();
    for (const e of endpoints) {
      const k = key(e.method, e.recordedRoute);
      const known = unique.get(k);
      if (!known) {
        unique.set(k, { ...e, authorizationPolicies: [...e.authorizationPolicies] });
        continue;
      }
      for (const p of e.authorizationPolicies) if (!known.authorizationPolicies.includes(p)) known.authorizationPolicies.push(p);
      known.rateLimitingPolicy ??= e.rateLimitingPolicy;
      known.lastSeen ??= e.lastSeen;
    }
    return unique;
  }

  function countsOf(routes) {
    return new Map(routes.map((r) => [key(r.method, r.route), r.count]));
  }

  /**
   * Adds each route's count to the row of each of its policies; routes without one (or that are no endpoint of the
   * app) go to the fallback row, shown only when it counted something.
   */
  function tally(unique, policiesOf, fallback, countMaps) {
    const rows = new Map();
    const row = (name) => {
      if (!rows.has(name)) rows.set(name, { name, counts: countMaps.map(() => 0), endpoints: [] });
      return rows.get(name);
    };
    for (const [k, e] of unique) {
      const policies = policiesOf(e);
      for (const p of policies) row(p).endpoints.push(k);
      const names = policies.length ? policies : [fallback];
      countMaps.forEach((counts, i) => {
        const n = counts.get(k) || 0;
        if (n) for (const p of names) row(p).counts[i] += n;
      });
    }
    countMaps.forEach((counts, i) => {
      for (const [k, n] of counts) if (!unique.has(k)) row(fallback).counts[i] += n;
    });
    return [...rows.values()]
      .filter((r) => r.endpoints.length || r.counts.some((n) => n))
      .sort((a, b) => b.counts.reduce((s, n) => s + n, 0) - a.counts.reduce((s, n) => s + n, 0) || a.name.localeCompare(b.name));
  }

  function renderRows(table, rows, columns, empty) {
    const body = table.tBodies[0];
    body.textContent = '';
    for (const r of rows) {
      const tr = body.insertRow();
      tr.dataset.policy = r.name;
      cell(tr, r.name, 'mono');
      for (const n of r.counts) cell(tr, F.count(n), n ? 'num status s4' : 'num');
      const endpoints = cell(tr, r.endpoints.length === 1 ? r.endpoints[0] : `${F.count(r.endpoints.length)} endpoints`, 'mono muted');
      endpoints.title = r.endpoints.join('\n');
    }
    if (!rows.length) emptyRow(body, columns, empty);
  }

  function renderAuthorization(unique, unauthorized, forbidden) {
    const rows = tally(unique, (e) => e.authorizationPolicies, NO_AUTHORIZATION, [unauthorized, forbidden]);
    renderRows($('access-authorization'), rows, 4, 'No endpoint has an authorization policy, and nothing answered 401 or 403 in this range');
  }

  function renderRateLimiting(unique, limited) {
    const rows = tally(unique, (e) => (e.rateLimitingPolicy ? [e.rateLimitingPolicy] : []), NO_LIMITER, [limited]);
    renderRows($('access-rate-limiting'), rows, 3, 'No endpoint has a rate-limiting policy, and nothing answered 429 in this range');
  }

  function renderNeverHit(unique, total) {
    const list = $('never-hit');
    list.textContent = '';
    // An endpoint under ExcludePaths is never recorded: its lastSeen says nothing, so it is counted apart.
    const excluded = [...unique.values()].filter((e) => !e.recorded).length;
    const never = [...unique.values()].filter((e) => e.recorded && !e.lastSeen)
      .sort((a, b) => a.recordedRoute.localeCompare(b.recordedRoute) || a.method.localeCompare(b.method));
    for (const e of never.slice(0, NEVER_HIT_SHOWN)) {
      const item = document.createElement('li');
      item.className = 'mono';
      item.textContent = key(e.method, e.recordedRoute);
      list.appendChild(item);
    }
    const note = document.createElement('li');
    note.className = 'muted';
    if (!total) note.textContent = 'The app has no endpoints of its own to list';
    else if (!never.length) note.textContent = 'Every recorded endpoint has had a request in the retained data';
    else if (never.length > NEVER_HIT_SHOWN) note.textContent = `and ${F.count(never.length - NEVER_HIT_SHOWN)} more`;
    if (excluded) note.textContent += `${note.textContent ? ' · ' : ''}${F.count(excluded)} not recorded (ExcludePaths) and not listed`;
    if (note.textContent) list.appendChild(note);
  }

  return { render };
})();
