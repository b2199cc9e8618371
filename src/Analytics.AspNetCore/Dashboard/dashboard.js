// The dashboard: reads the public HTTP API under ./api/, keeps its state in the URL, and stays current through the
// live stream (./api/stream). Relative URLs make it work under any prefix and path base.
(function () {
  'use strict';
  const F = RequestAnalyticsFormat;
  const C = RequestAnalyticsCharts;
  const D = RequestAnalyticsCompare;
  const R = RequestAnalyticsReleases;
  const S = RequestAnalyticsServiceLevels;
  const { emptyRow } = RequestAnalyticsTable;
  const api = new URL('api/', document.baseURI);
  const $ = (id) => document.getElementById(id);
  const FILTERS = ['route', 'method', 'status', 'environment', 'instance', 'consumer'];
  const COMPARES = ['previous-period', 'previous-release'];
  const CONSUMERS = 10;
  const EVENT_COLORS = ['#3563e9', '#1f9d55', '#e0522a', '#9b51e0', '#c98a00', '#0e9fb5'];
  const LIVE_ROWS = 50;

  let routesSort = { key: 'count', descending: true };
  let routes = [];
  let comparing = '';
  let refreshTimer = 0;
  let loading = null;
  let firstCatalog = null; // the first ./api/endpoints answer, shared by the playground and the first load

  // ----- state in the URL -----
  function readState() {
    const query = new URLSearchParams(location.search);
    const state = { range: query.get('range') || '24h', from: query.get('from') || '', to: query.get('to') || '' };
    if (state.from) state.range = 'custom';
    for (const name of FILTERS) state[name] = query.get(name) || '';
    state.compare = COMPARES.includes(query.get('compare')) ? query.get('compare') : '';
    return state;
  }

  function writeState(state) {
    const query = new URLSearchParams();
    if (state.range === 'custom') {
      if (state.from) query.set('from', state.from);
      if (state.to) query.set('to', state.to);
    } else if (state.range !== '24h') {
      query.set('range', state.range);
    }
    for (const name of FILTERS) if (state[name]) query.set(name, state[name]);
    if (state.compare) query.set('compare', state.compare);
    const search = query.toString();
    history.replaceState(null, '', search ? `?${search}` : location.pathname);
  }

  function stateToForm(state) {
    $('range').value = state.range;
    $('from').value = state.from ? toLocalInput(state.from) : '';
    $('to').value = state.to ? toLocalInput(state.to) : '';
    for (const name of FILTERS) $(name).value = state[name];
    $('compare').value = state.compare;
    for (const label of document.querySelectorAll('.filters .custom')) label.hidden = state.range !== 'custom';
  }

  function formToState() {
    const state = { range: $('range').value, from: '', to: '' };
    if (state.range === 'custom') {
      // The inputs hold minutes: a time they show unchanged keeps its seconds (a release's first request, say).
      const before = readState();
      const time = (name) => !$(name).value ? '' : $(name).value === toLocalInput(before[name]) ? before[name] : new Date($(name).value).toISOString();
      state.from = time('from');
      state.to = time('to');
    }
    for (const name of FILTERS) state[name] = $(name).value.trim();
    state.compare = $('compare').value;
    return state;
  }

  function toLocalInput(iso) {
    const d = new Date(iso);
    if (isNaN(d)) return '';
    return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  }

  /** The query string every API call gets: the range (or from/to) and the filters. */
  function apiQuery(state, extra) {
    const query = new URLSearchParams();
    if (state.range === 'custom' && state.from) {
      query.set('from', state.from);
      if (state.to) query.set('to', state.to);
    } else {
      query.set('range', state.range === 'custom' ? '24h' : state.range);
    }
    for (const name of FILTERS) if (state[name]) query.set(name, state[name]);
    for (const [key, value] of Object.entries(extra || {})) query.set(key, value);
    return query.toString();
  }

  function get(path, state, extra) {
    return getJson(`${path}?${apiQuery(state, extra)}`);
  }

  async function getJson(pathAndQuery) {
    // No custom header: the page's head preloads the first calls, and a browser hands a preloaded response only to a
    // fetch() that asks for the same thing. The API answers JSON whatever Accept says.
    const response = await fetch(new URL(pathAndQuery, api));
    const body = await response.json();
    if (!response.ok) {
      const details = body.errors ? Object.entries(body.errors).map(([k, v]) => `${k}: ${v.join(' ')}`).join('; ') : body.detail || '';
      throw new Error(`${body.title || response.statusText}${details ? ' — ' + details : ''}`);
    }
    return body;
  }

  /** ./api/endpoints takes no range: the URL the page preloads, fetched as is. */
  async function getCatalog() {
    const response = await fetch(new URL('endpoints', api));
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    return response.json();
  }

  /** The access panel's data, for each load: the endpoints (lastSeen moves) and the range's 401, 403 and 429 by route. */
  function loadAccess(state, run) {
    const catalog = firstCatalog || getCatalog();
    firstCatalog = null;
    const counts = Promise.all(['401', '403', '429'].map((status) => get('routes', { ...state, status }, { limit: 1000 })));
    RequestAnalyticsAccess.render(catalog, counts, () => run === loading);
  }

  // ----- loading and rendering -----
  async function load() {
    const state = readState();
    const run = (loading = Symbol('load'));
    loadAccess(state, run); // its own panel says when it fails; the other panels do not wait for it
    // Objectives and uptime likewise: the objectives take only the environment and instance, uptime the range and instance.
    S.show(getJson(S.path(state)), () => run === loading);
    RequestAnalyticsUptime.show(get('uptime', instanceScope(state)), () => run === loading);
    // DashboardPreload names these calls in the page's head: a change here is a change there.
    const compare = state.compare ? { compare: state.compare } : {};
    // Reads with no consumer dimension answer consumer= with a 400: with a consumer, their panels say so instead.
    const perConsumer = Boolean(state.consumer);
    const notAsked = Promise.resolve(null);
    try {
      const [overview, series, routeStats, statusCodes, errors, heatmap, events, health, consumers, releases] = await Promise.all([
        get('overview', state, compare), get('timeseries', state), get('routes', state, { limit: 50, ...compare }), get('status-codes', state),
        perConsumer ? notAsked : get('errors', state), heatmapFor(state), perConsumer ? notAsked : get('events', state),
        perConsumer ? notAsked : get('health-metrics', instanceScope(state)),
        panelCall(get('consumers', state, { limit: CONSUMERS, ...compare })), panelCall(get('releases', releaseScope(state))),
      ]);
      if (run !== loading) return; // a newer load started meanwhile
      $('problem').hidden = true;
      comparing = state.compare;
      const markers = R.markers(releases);
      renderCards(overview);
      D.cards(overview, state.compare);
      renderSeries(series, markers);
      routes = routeStats;
      renderRoutes();
      renderStatusCodes(statusCodes);
      RequestAnalyticsConsumers.show(consumers, state, overview.totalRequests > 0, (consumer) => applyFilters({ consumer }));
      R.showNewest($('since-release'), releases);
      if (errors) renderErrors(errors);
      else RequestAnalyticsTable.emptyRow(clear($('errors').tBodies[0]), 7, 'Error groups are not available per consumer');
      renderHeatmap(heatmap);
      if (events) {
        renderEvents(events, markers);
      } else {
        C.empty($('chart-events'), 'Not available per consumer');
        clear($('event-legend'));
      }
      if (health) {
        RequestAnalyticsHealth.render($('chart-health'), $('health-summary'), health);
      } else {
        C.empty($('chart-health'), 'Not available per consumer');
        clear($('health-summary'));
      }
      $('export').href = new URL(`export?${apiQuery(state, { format: 'csv' })}`, api).href;
    } catch (error) {
      if (run !== loading) return;
      $('problem').textContent = `Could not load the analytics: ${error.message}`;
      $('problem').hidden = false;
    }
  }

  /** A panel's own call: its failure is shown in the panel ({ failed }), not as the page's. */
  function panelCall(call) {
    return call.catch((error) => ({ failed: error.message }));
  }

  /** Process health and uptime are per instance: the range and the instance matter, no other filter. */
  function instanceScope(state) {
    return { range: state.range, from: state.from, to: state.to, instance: state.instance };
  }

  /** Releases mark deploys: the range, environment and instance matter, not which requests are looked at. */
  function releaseScope(state) {
    return { range: state.range, from: state.from, to: state.to, environment: state.environment, instance: state.instance };
  }

  function clear(element) {
    element.textContent = '';
    return element;
  }

  /** The heatmap needs hourly data: ranges under a day are widened to 7 days, so it always shows a week's pattern. */
  function heatmapFor(state) {
    const short = ['15m', '1h', '6h', '24h'].includes(state.range);
    return get('heatmap', short ? { ...state, range: '7d' } : state);
  }

  function renderCards(o) {
    $('card-requests').textContent = F.count(o.totalRequests);
    $('card-rpm').textContent = `${F.rate(o.requestsPerMinute)} per minute`;
    $('card-error-rate').textContent = F.percent(o.errorRate);
    $('card-errors').textContent = `${F.count(o.errorRequests)} errors`;
    $('card-p50').textContent = F.duration(o.latency.p50);
    $('card-avg').textContent = `avg ${F.duration(o.latency.avg)}`;
    $('card-p95').textContent = F.duration(o.latency.p95);
    $('card-p99').textContent = F.duration(o.latency.p99);
    $('card-max').textContent = `max ${F.duration(o.latency.max)}`;
    $('card-users').textContent = F.count(o.uniqueUsers);
    const consumers = o.uniqueConsumers ? ` · ${F.count(o.uniqueConsumers)} consumers` : '';
    $('card-clients').textContent = `${F.count(o.uniqueClients)} client addresses${consumers}`;
    $('card-bytes-out').textContent = F.bytes(o.bytesOut);
    $('card-bytes-in').textContent = `${F.bytes(o.bytesIn)} received`;
    // Long-lived requests (WebSockets, Server-Sent Events): how many closed in the range and how long they stayed open.
    const connections = o.connections || { count: 0, avgDuration: 0, maxDuration: 0 };
    $('card-connections').textContent = F.count(connections.count);
    $('card-connection-duration').textContent = connections.count
      ? `open avg ${F.duration(connections.avgDuration)} · max ${F.duration(connections.maxDuration)}`
      : 'WebSockets and event streams';
    $('card-error-rate').classList.toggle('status', o.errorRate > 0.01);
    $('card-error-rate').classList.toggle('s5', o.errorRate > 0.01);
    S.apdexCard(o);
  }

  function renderSeries(series, markers) {
    const points = series.points;
    const withDate = points.length > 1 && Date.parse(points[points.length - 1].time) - Date.parse(points[0].time) > 36 * 3600e3;
    C.bars($('chart-requests'), points, 'count', 'errors',
      (p) => `${F.time(p.time, withDate)} · ${F.count(p.count)} requests, ${F.count(p.errors)} errors`, markers);
    const times = points.map((p) => Date.parse(p.time));
    const pick = (key) => points.map((p) => (p.count ? p[key] : null));
    C.lines($('chart-latency'), times,
      [{ className: 'p50', values: pick('p50') }, { className: 'p95', values: pick('p95') }, { className: 'p99', values: pick('p99') }],
      F.duration,
      (i) => `${F.time(points[i].time, withDate)} · p50 ${F.duration(points[i].p50)} · p95 ${F.duration(points[i].p95)} · p99 ${F.duration(points[i].p99)}`,
      'No requests in this range', markers);
    C.lines($('chart-users'), times,
      [{ className: 'p50', values: pick('uniqueUsers') }, { className: 'p95', values: pick('uniqueClients') }],
      F.count,
      (i) => `${F.time(points[i].time, withDate)} · ${F.count(points[i].uniqueUsers)} users · ${F.count(points[i].uniqueClients)} clients`,
      'No requests in this range', markers);
  }

  function renderRoutes() {
    const { key, descending } = routesSort;
    const sorted = [...routes].sort((a, b) => {
      const order = typeof a[key] === 'string' ? a[key].localeCompare(b[key]) : a[key] - b[key];
      return descending ? -order : order;
    });
    const body = $('routes').tBodies[0];
    body.textContent = '';
    for (const r of sorted) {
      const row = body.insertRow();
      const cell = row.insertCell();
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'route-link';
      button.textContent = `${r.method} ${r.route}`;
      button.title = `Show only ${r.method} ${r.route}`;
      button.addEventListener('click', () => applyFilters({ route: r.route, method: r.method }));
      cell.appendChild(button);
      // A route that only held connections has no latency to show (its lifetimes are not response times).
      const latency = (ms) => (r.connections && r.connections === r.count ? '–' : F.duration(ms));
      const compared = Boolean(comparing);
      D.numberCell(row, F.count(r.count), compared, 'count', r, 'count');
      D.numberCell(row, F.percent(r.errorRate), compared, 'rate', r, 'errorRate');
      addCells(row, [latency(r.avg)], true);
      D.numberCell(row, latency(r.p95), compared && latency(r.p95) !== '–', 'latency', r, 'p95');
      addCells(row, [latency(r.p99)], true);
      S.apdexCell(row, r);
    }
    if (!sorted.length) emptyRow(body, 7, 'No requests in this range');
    for (const th of $('routes').tHead.rows[0].cells) {
      const sortKey = th.querySelector('button').dataset.key;
      if (sortKey === key) th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      else th.removeAttribute('aria-sort');
    }
    $('route-list').textContent = '';
    for (const name of new Set(routes.map((r) => r.route))) {
      const option = document.createElement('option');
      option.value = name;
      $('route-list').appendChild(option);
    }
  }

  function renderStatusCodes(codes) {
    const container = $('status-codes');
    container.textContent = '';
    const max = Math.max(1, ...codes.map((c) => c.count));
    for (const c of codes) {
      const row = document.createElement('div');
      row.className = 'row';
      const code = document.createElement('button');
      code.type = 'button';
      code.className = `route-link status s${String(c.statusCode)[0]}`;
      code.textContent = c.statusCode;
      code.title = `Show only status ${c.statusCode}`;
      code.addEventListener('click', () => applyFilters({ status: String(c.statusCode) }));
      const track = document.createElement('div');
      track.className = 'track';
      const fill = document.createElement('div');
      fill.className = `fill s${String(c.statusCode)[0]}`;
      fill.style.width = `${(c.count / max) * 100}%`;
      track.appendChild(fill);
      const value = document.createElement('span');
      value.className = 'num';
      value.textContent = F.count(c.count);
      row.append(code, track, value);
      container.appendChild(row);
    }
    if (!codes.length) container.textContent = 'No requests in this range';
  }

  function renderErrors(errors) {
    RequestAnalyticsErrors.render($('errors').tBodies[0], errors, api, load);
  }

  function renderHeatmap(heatmap) {
    const container = $('heatmap');
    container.textContent = '';
    const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    const max = Math.max(1, ...heatmap.cells.map((c) => c.count));
    const byKey = new Map(heatmap.cells.map((c) => [`${c.dayOfWeek}:${c.hour}`, c.count]));
    container.appendChild(document.createElement('span'));
    for (let hour = 0; hour < 24; hour++) {
      const label = document.createElement('span');
      label.textContent = hour % 6 === 0 ? String(hour) : '';
      container.appendChild(label);
    }
    const heat = getComputedStyle(document.documentElement).getPropertyValue('--heat').trim();
    days.forEach((name, day) => {
      const label = document.createElement('span');
      label.className = 'label';
      label.textContent = name;
      container.appendChild(label);
      for (let hour = 0; hour < 24; hour++) {
        const count = byKey.get(`${day}:${hour}`) || 0;
        const cell = document.createElement('span');
        cell.className = 'cell';
        if (count) cell.style.background = `rgba(${heat}, ${0.15 + 0.85 * (count / max)})`;
        cell.title = `${name} ${hour}:00–${hour + 1}:00 UTC: ${F.count(count)} requests`;
        container.appendChild(cell);
      }
    });
  }

  function renderEvents(data, markers) {
    const legend = $('event-legend');
    legend.textContent = '';
    const events = data.events.slice(0, EVENT_COLORS.length);
    const times = events.length ? events[0].points.map((p) => Date.parse(p.time)) : [];
    C.lines($('chart-events'), times,
      events.map((e, i) => ({ color: EVENT_COLORS[i], values: e.points.map((p) => p.count) })),
      F.count,
      (i) => events.map((e) => `${e.name} ${F.count(e.points[i].count)}`).join(' · '),
      'No custom events in this range', markers);
    events.forEach((e, i) => {
      const item = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = EVENT_COLORS[i];
      const failures = e.failures ? `, ${F.count(e.failures)} failed` : '';
      const p95 = e.p95 ? `, p95 ${F.duration(e.p95)}` : '';
      item.append(swatch, `${e.name}: ${F.count(e.count)}${failures}${p95}`);
      legend.appendChild(item);
    });
  }

  function addCells(row, values, numeric, className) {
    for (const value of values) {
      const cell = row.insertCell();
      cell.textContent = value;
      if (numeric) cell.className = 'num';
      if (className) cell.className = className;
    }
  }

  function applyFilters(changes) {
    const state = { ...readState(), ...changes };
    writeState(state);
    stateToForm(state);
    load();
  }

  // ----- live stream -----
  function connect() {
    const indicator = $('connection');
    const label = indicator.querySelector('.label');
    const source = new EventSource(new URL('stream', api));
    const set = (className, text) => { indicator.className = `connection ${className}`; label.textContent = text; };
    source.addEventListener('open', () => set('live', 'Live'));
    source.addEventListener('connected', () => set('live', 'Live'));
    source.addEventListener('error', () => set(source.readyState === EventSource.CLOSED ? 'offline' : 'connecting', source.readyState === EventSource.CLOSED ? 'Offline' : 'Reconnecting…'));
    source.addEventListener('request', (e) => addLiveRow(JSON.parse(e.data)));
    source.addEventListener('stats', (e) => {
      const stats = JSON.parse(e.data);
      $('active-now').textContent = `· ${F.count(stats.uniqueUsers)} users, ${F.count(stats.uniqueClients)} clients active in the last 5 minutes`;
      scheduleRefresh();
      RequestAnalyticsAlerts.refresh(false);
    });
    source.addEventListener('event', () => scheduleRefresh());
    source.addEventListener('alert', () => RequestAnalyticsAlerts.refresh(true));
  }

  function addLiveRow(r) {
    const state = readState();
    if ((state.route && r.route !== state.route) || (state.method && r.method !== state.method)) return;
    if (state.consumer && r.consumer !== undefined && r.consumer !== state.consumer) return;
    const body = $('live').tBodies[0];
    const row = body.insertRow(0);
    row.className = 'fresh';
    addCells(row, [F.time(r.time)]);
    addCells(row, [r.method], false, 'mono');
    const path = row.insertCell();
    path.className = 'path mono';
    path.textContent = r.path;
    path.title = `${r.route}${r.exceptionType ? ' — ' + r.exceptionType : ''}`;
    addCells(row, [String(r.statusCode)], false, `num status s${String(r.statusCode)[0]}`);
    addCells(row, [F.duration(r.duration)], true);
    while (body.rows.length > LIVE_ROWS) body.deleteRow(body.rows.length - 1);
    $('live-note').textContent = r.dropped ? `(${F.count(r.dropped)} not shown: more than 200 a second)` : '';
  }

  /** Stats arrive every few seconds: reload the view then, at most once per 2 s, unless a custom range is fixed. */
  function scheduleRefresh() {
    if (readState().range === 'custom' && readState().to) return;
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => { refreshTimer = 0; load(); }, 2000);
  }

  // ----- theme -----
  function initTheme() {
    const stored = localStorage.getItem('request-analytics-theme');
    if (stored) document.documentElement.dataset.theme = stored;
    $('theme').addEventListener('click', () => {
      const dark = document.documentElement.dataset.theme
        ? document.documentElement.dataset.theme === 'dark'
        : matchMedia('(prefers-color-scheme: dark)').matches;
      const next = dark ? 'light' : 'dark';
      document.documentElement.dataset.theme = next;
      localStorage.setItem('request-analytics-theme', next);
      load(); // the heatmap's colour comes from the theme
    });
  }

  // ----- wiring -----
  function init() {
    initTheme();
    RequestAnalyticsErrors.init();
    firstCatalog = getCatalog();
    firstCatalog.catch(() => {}); // said by the access panel
    RequestAnalyticsPlayground.init(firstCatalog);
    RequestAnalyticsAlerts.init(api);
    stateToForm(readState());
    $('filters').addEventListener('change', () => {
      const state = formToState();
      for (const label of document.querySelectorAll('.filters .custom')) label.hidden = state.range !== 'custom';
      if (state.range === 'custom' && !state.from) return; // wait for a start
      writeState(state);
      load();
    });
    $('filters').addEventListener('submit', (e) => e.preventDefault());
    $('clear').addEventListener('click', () => applyFilters(Object.fromEntries(FILTERS.map((f) => [f, '']))));
    $('since-release').addEventListener('click', async () => {
      const state = readState();
      try {
        applyFilters({ range: 'custom', from: await R.lastReleaseStart((scope) => get('releases', scope), state), to: '', compare: 'previous-release' });
      } catch (error) {
        $('problem').textContent = `Could not find the last release: ${error.message}`;
        $('problem').hidden = false;
      }
    });
    for (const button of $('routes').querySelectorAll('th button')) {
      button.addEventListener('click', () => {
        const key = button.dataset.key;
        routesSort = { key, descending: routesSort.key === key ? !routesSort.descending : key !== 'route' };
        renderRoutes();
      });
    }
    let resize = 0;
    addEventListener('resize', () => { clearTimeout(resize); resize = setTimeout(load, 200); });
    load();
    connect();
  }

  init();
})();
