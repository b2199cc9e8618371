// The alerts panel: every alert rule with its state and last measured value, the latest changes, and the webhook
// subscriptions with the outcome of their last delivery. Uses ./api/alerts, ./api/alerts/history, ./api/webhooks and
// ./api/webhooks/{id}/deliveries. Rules and subscriptions are the app's, not the range's: the range and filters do not
// apply. The panel sits below the fold, so it loads when it first scrolls into view, not with the first load's calls;
// then an `alert` event from the live stream refreshes it at once, and the stream's stats at most every 10 s.
var RequestAnalyticsAlerts = (function () {
  'use strict';
  const F = RequestAnalyticsFormat;
  const FORMATS = { standardWebhooks: 'Standard Webhooks, signed', slack: 'Slack message', teams: 'Teams card', discord: 'Discord message' };
  const HISTORY = 10;
  const SUBSCRIPTIONS = 10;
  const REFRESH_MS = 10000;

  let api = null;
  let panel = null;
  let visible = false;
  let loadedAt = 0;
  let loading = null;
  let again = false;

  const { cell, emptyRow } = RequestAnalyticsTable;
  const byId = (id) => document.getElementById(id);

  /** A measured value in the rule's unit: a share, milliseconds, a count or a ratio. */
  function value(metric, v) {
    if (v == null) return '–';
    switch (metric) {
      case 'errorRate': return F.percent(v);
      case 'p95':
      case 'p99': return F.duration(v);
      case 'changeRatio':
      case 'burnRate': return `${F.rate(v)}×`;
      default: return F.count(v);
    }
  }

  const METRICS = {
    errorRate: 'error rate', p95: 'p95', p99: 'p99', requestCount: 'requests', eventCount: 'events', changeRatio: 'change against the window before',
    burnRate: 'burn rate', healthCheck: 'open incidents',
  };

  /** "error rate > 5 % over 5m on GET /items/{id}". */
  function condition(r) {
    const scope = [r.method, r.route].filter(Boolean).join(' ');
    const event = r.eventName ? ` of '${r.eventName}'` : r.slo ? ` of objective '${r.slo}'` : r.check ? ` of check '${r.check}'` : '';
    return `${METRICS[r.metric] || r.metric}${event} ${r.operator} ${value(r.metric, r.threshold)} over ${r.window}${scope ? ` on ${scope}` : ''}`;
  }

  /** GETs, or POSTs an empty JSON object (the API takes changes only as JSON, so another site's form cannot make them). */
  async function getJson(path, post) {
    const response = await fetch(new URL(path, api), post
      ? { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: '{}' }
      : { headers: { accept: 'application/json' } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(body.title || response.statusText);
      error.status = response.status;
      throw error;
    }
    return body;
  }

  function renderRules(rules) {
    const body = byId('alert-rules').tBodies[0];
    body.textContent = '';
    for (const r of rules) {
      const row = body.insertRow();
      row.dataset.rule = r.id;
      cell(row, r.name);
      cell(row, condition(r), 'path');
      const state = !r.enabled ? { text: 'disabled', className: 'badge muted' }
        : r.state === 'firing' ? { text: 'firing', className: 'badge bad' }
        : { text: 'ok', className: 'badge ok' };
      cell(row, state.text, state.className);
      cell(row, value(r.metric, r.lastValue), 'num');
      cell(row, r.stateChangedAt ? F.time(r.stateChangedAt, true) : '–');
    }
    if (!rules.length) emptyRow(body, 5, 'No alert rules: declare them in RequestAnalytics:Alerts or POST them to api/alerts');
    const firing = rules.filter((r) => r.enabled && r.state === 'firing').length;
    byId('alerts-note').textContent = rules.length ? `· ${firing ? `${firing} firing` : 'none firing'}` : '';
    byId('alerts-note').className = firing ? 'bad' : '';
  }

  function renderHistory(page) {
    const list = byId('alert-history');
    list.textContent = '';
    for (const h of page.items) {
      const item = document.createElement('li');
      const badge = document.createElement('span');
      badge.className = h.state === 'triggered' ? 'badge bad' : 'badge ok';
      badge.textContent = h.state;
      item.append(`${F.time(h.time, true)} · `, badge, ` ${h.name}: ${value(h.metric, h.value)} (${h.operator} ${value(h.metric, h.threshold)} over ${h.window})`);
      list.appendChild(item);
    }
    if (!page.items.length) {
      const item = document.createElement('li');
      item.className = 'muted';
      item.textContent = 'No rule has fired yet';
      list.appendChild(item);
    }
  }

  async function renderWebhooks(subscriptions) {
    const shown = subscriptions.slice(0, SUBSCRIPTIONS);
    // The last attempt of each subscription, side by side; one failing does not hide the others.
    const last = await Promise.all(shown.map((s) => getJson(`webhooks/${encodeURIComponent(s.id)}/deliveries?limit=1`).then((p) => p.items[0] || null, () => undefined)));
    const body = byId('webhooks').tBodies[0];
    body.textContent = '';
    shown.forEach((s, i) => {
      const row = body.insertRow();
      row.dataset.subscription = s.id;
      const what = cell(row, s.id, 'mono');
      what.title = s.url;
      const url = document.createElement('div');
      url.className = 'muted path';
      url.textContent = s.url;
      what.appendChild(url);
      // The body format: chat messages (Slack, Teams, Discord) are not signed, Standard Webhooks ones are.
      row.dataset.format = s.format || 'standardWebhooks';
      const format = document.createElement('div');
      format.className = 'muted webhook-format';
      format.textContent = FORMATS[row.dataset.format] || row.dataset.format;
      what.appendChild(format);
      cell(row, [...s.eventTypes, ...s.eventNames.map((n) => `event '${n}'`)].join(', ') || 'everything', 'path');
      const state = s.enabled ? { text: 'enabled', className: 'badge ok' } : { text: 'disabled', className: 'badge bad' };
      const stateCell = cell(row, state.text, state.className);
      if (s.disabledReason) stateCell.title = s.disabledReason;
      const attempt = last[i];
      if (attempt === undefined) {
        cell(row, 'could not be read', 'muted');
      } else if (attempt === null) {
        cell(row, 'nothing sent yet', 'muted');
      } else {
        const outcome = attempt.statusCode != null ? `HTTP ${attempt.statusCode}` : attempt.error || 'no response';
        const c = cell(row, `${F.time(attempt.time, true)} · ${attempt.eventType} · ${outcome} · ${F.duration(attempt.duration)}`, attempt.succeeded ? 'badge ok' : 'badge bad');
        c.title = attempt.error || attempt.response || '';
      }
      const actions = row.insertCell();
      const test = document.createElement('button');
      test.type = 'button';
      test.className = 'link-button';
      test.textContent = 'Send test';
      test.title = `Queue a webhook.test message to ${s.url}`;
      test.disabled = !s.enabled;
      test.addEventListener('click', () => sendTest(s.id, test));
      actions.appendChild(test);
    });
    if (!shown.length) emptyRow(body, 5, 'No webhook subscriptions: declare them in RequestAnalytics:Webhooks or POST them to api/webhooks');
  }

  /**
   * Queues a webhook.test message, then watches the subscription's deliveries log (every second, up to 15 s) until
   * its attempt appears, and shows the panel again with it.
   */
  async function sendTest(id, button) {
    const problem = panel.querySelector('.problem');
    if (problem.dataset.from === 'test') problem.hidden = true;
    button.disabled = true;
    button.textContent = 'Queued…';
    try {
      const { messageId } = await getJson(`webhooks/${encodeURIComponent(id)}/test`, true);
      for (let i = 0; i < 15; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const page = await getJson(`webhooks/${encodeURIComponent(id)}/deliveries?limit=1`);
        if (page.items[0]?.messageId === messageId) break;
      }
      await load();
    } catch (error) {
      problem.textContent = `Could not send a test message to ${id}: ${error.message}`;
      problem.dataset.from = 'test';
      problem.hidden = false;
      button.textContent = 'Send test';
      button.disabled = false;
    }
  }

  /** Loads the panel; asked while a load is running, it loads once more after it, so a change is never missed. */
  async function load() {
    if (loading) {
      again = true;
      return loading;
    }
    loading = (async () => {
      const problem = panel.querySelector('.problem');
      try {
        const [rules, history, subscriptions] = await Promise.all([getJson('alerts'), getJson(`alerts/history?limit=${HISTORY}`), getJson('webhooks')]);
        renderRules(rules);
        renderHistory(history);
        await renderWebhooks(subscriptions);
        if (problem.dataset.from === 'load') problem.hidden = true; // a failed test send stays said until the next one
      } catch (error) {
        if (error.status === 501) {
          panel.hidden = true; // the store keeps no alerts or webhooks
          return;
        }
        problem.textContent = `Could not load the alerts: ${error.message}`;
        problem.dataset.from = 'load';
        problem.hidden = false;
      } finally {
        loadedAt = Date.now();
        loading = null;
        if (again) {
          again = false;
          load();
        }
      }
    })();
    return loading;
  }

  /** The live stream's signal: an alert changed (now), or time passed (at most every REFRESH_MS). */
  function refresh(now) {
    if (!visible && !loadedAt) return; // never seen yet: it loads when scrolled to
    if (now || Date.now() - loadedAt >= REFRESH_MS) load();
  }

  function init(apiUrl) {
    api = apiUrl;
    panel = byId('alerts-panel');
    if (!('IntersectionObserver' in window)) {
      visible = true;
      load();
      return;
    }
    new IntersectionObserver((entries) => {
      const seen = entries.some((e) => e.isIntersecting);
      if (seen && !visible && !loadedAt) load();
      visible = seen;
    }).observe(panel);
  }

  return { init, refresh };
})();
