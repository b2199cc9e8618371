// Service levels: the objectives panel (./api/slos: attainment against each objective, the error budget left, and how
// fast it burns over 5 m, 30 m, 1 h and 6 h) and Apdex, on the overview's card and in the routes table. Objectives are
// measured over their own windows ending now: the page's range does not apply to them, its environment and instance do.
var RequestAnalyticsServiceLevels = (function () {
  'use strict';
  const F = RequestAnalyticsFormat;
  const { cell, emptyRow } = RequestAnalyticsTable;
  const COLUMNS = 9;
  const BURN_WINDOWS = ['5m', '30m', '1h', '6h'];

  // The SRE workbook's page thresholds: 14.4× spends 2 % of a 30-day budget in an hour, 6× spends 5 % in 6 hours.
  // They are the default burn-rate alert rules of every objective (slo-{name}-fast and slo-{name}-slow).
  const FAST_BURN = 14.4;
  const SLOW_BURN = 6;

  // Apdex's rating bands (0.94 excellent, 0.85 good, 0.70 fair, 0.50 poor), folded into three: at 0.94 or above a
  // route is good, from 0.85 fair, below that poor.
  const APDEX_GOOD = 0.94;
  const APDEX_FAIR = 0.85;
  const APDEX_TITLE = 'Apdex: requests within the route\'s threshold T count fully, within 4T half, slower or failed ones not at all. '
    + 'Bands: 0.94 and up good, 0.85 to 0.94 fair, below 0.85 poor.';

  // Created on first use: the first Intl.NumberFormat costs milliseconds the first load's calls should not wait for.
  const formats = new Map();
  const fixed = (digits, n) => {
    if (!formats.has(digits)) formats.set(digits, new Intl.NumberFormat(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits }));
    return formats.get(digits).format(n);
  };

  /** "good", "fair" or "poor"; null without a score. */
  function apdexBand(score) {
    if (score == null || !isFinite(score)) return null;
    return score >= APDEX_GOOD ? 'good' : score >= APDEX_FAIR ? 'fair' : 'poor';
  }

  /** The score with two decimals, or – when there were no requests to score. */
  function apdexText(score) {
    return apdexBand(score) ? fixed(2, score) : '–';
  }

  /** The routes table's Apdex cell of a route. */
  function apdexCell(row, route) {
    const band = apdexBand(route.apdex);
    const c = cell(row, apdexText(route.apdex), band ? `num apdex ${band}` : 'num');
    c.title = band ? `${band} · ${APDEX_TITLE}` : APDEX_TITLE;
    return c;
  }

  /** The overview's Apdex card. */
  function apdexCard(overview) {
    const value = document.getElementById('card-apdex');
    const band = apdexBand(overview.apdex);
    value.textContent = apdexText(overview.apdex);
    value.className = band ? `value apdex ${band}` : 'value';
    document.getElementById('card-apdex-band').textContent = band || 'no requests to score';
  }

  /** The objectives' API path for the page's state: only the environment and instance filters apply to them. */
  function path(state) {
    const query = new URLSearchParams();
    if (state.environment) query.set('environment', state.environment);
    if (state.instance) query.set('instance', state.instance);
    const search = query.toString();
    return search ? `slos?${search}` : 'slos';
  }

  /**
   * A share as a percentage with enough decimals to tell it from the objective's (99.95 % against 99.9 %), rounded
   * down, so that an objective missed by a hair never shows as met.
   */
  function share(fraction, objective) {
    if (fraction == null || !isFinite(fraction)) return '–';
    const digits = Math.min(4, Math.max(2, decimals(objective * 100) + 1));
    const scale = 10 ** digits;
    return `${fixed(digits, Math.floor(fraction * 100 * scale + 1e-6) / scale)} %`;
  }

  /** The objective as a percentage with the decimals it was declared with: 99.5 %, 99.95 %. */
  function target(objective) {
    return `${fixed(Math.min(4, decimals(objective * 100)), objective * 100)} %`;
  }

  function decimals(n) {
    const text = String(Math.round(n * 1e4) / 1e4);
    const dot = text.indexOf('.');
    return dot < 0 ? 0 : text.length - dot - 1;
  }

  /** "all requests", or "GET /orders/{id}", with "within 300 ms" for a latency objective. */
  function scope(s) {
    const what = [s.method, s.route].filter(Boolean).join(' ') || 'all requests';
    return s.latencyThreshold != null ? `${what} within ${F.duration(s.latencyThreshold)}` : what;
  }

  function burnCell(row, rate, name) {
    const kind = rate == null ? '' : rate >= FAST_BURN ? ' burn fast' : rate >= SLOW_BURN ? ' burn slow' : '';
    const c = cell(row, rate == null ? '–' : `${F.rate(rate)}×`, `num${kind}`);
    c.dataset.window = name;
    c.title = rate == null
      ? `No requests in the last ${name}`
      : `Over the last ${name} the error budget burned ${F.rate(rate)} times as fast as the objective allows`
        + (kind ? ` (at least ${kind === ' burn fast' ? FAST_BURN : SLOW_BURN}×: a burn-rate alert's threshold)` : '');
  }

  function budgetCell(row, s) {
    const c = row.insertCell();
    const left = s.errorBudgetRemaining;
    if (left == null) {
      c.textContent = '–';
      c.title = 'No requests in the window';
      return;
    }
    const state = left < 0 ? 'bad' : left < 0.25 ? 'warn' : 'ok';
    const bar = document.createElement('div');
    bar.className = `budget ${state}`;
    const track = document.createElement('span');
    track.className = 'track';
    const fill = document.createElement('span');
    fill.className = `fill ${state}`;
    fill.style.width = `${Math.max(0, Math.min(1, left)) * 100}%`;
    track.appendChild(fill);
    const text = document.createElement('span');
    text.className = `num ${state}`;
    text.textContent = `${left < 0 ? '\u2212' : ''}${F.count(Math.abs(Math.trunc(left * 100)))} %`;
    bar.append(track, text);
    c.appendChild(bar);
    c.dataset.state = state;
    const allowed = s.total * (1 - s.objective);
    c.title = `${F.count(s.total - s.good)} bad requests of the ${F.rate(allowed)} the objective allows in ${s.window}`
      + (left < 0 ? ': the objective is missed' : '');
  }

  function render(body, slos) {
    body.textContent = '';
    for (const s of slos) {
      const row = body.insertRow();
      row.dataset.slo = s.name;
      const name = cell(row, s.name, 'slo-name');
      const detail = document.createElement('div');
      detail.className = 'muted mono';
      detail.textContent = scope(s);
      name.appendChild(detail);
      cell(row, target(s.objective), 'num');
      const attained = cell(row, share(s.attainment, s.objective), s.attainment != null && s.attainment < s.objective ? 'num bad' : 'num');
      attained.title = `${F.count(s.good)} of ${F.count(s.total)} requests good over ${s.window}`;
      budgetCell(row, s);
      for (const w of BURN_WINDOWS) burnCell(row, s.burnRates[w], w);
      cell(row, s.window, 'num');
    }
    if (!slos.length) {
      emptyRow(body, COLUMNS,
        'No service-level objectives: declare them in RequestAnalytics:Slos (for example 99.9 % of requests good over 30 days)');
    }
  }

  /**
   * Shows the objectives once `call` (the ./api/slos answer) settles; a failure is said in the panel only. isCurrent
   * tells whether a newer load started meanwhile, whose answer then wins.
   */
  async function show(call, isCurrent) {
    const body = document.getElementById('slos').tBodies[0];
    try {
      const slos = await call;
      if (!isCurrent()) return;
      render(body, slos);
    } catch (error) {
      if (!isCurrent()) return;
      body.textContent = '';
      emptyRow(body, COLUMNS, `Could not load the objectives: ${error.message}`);
    }
  }

  return { apdexBand, apdexCell, apdexCard, path, show, FAST_BURN, SLOW_BURN };
})();
