// The request playground: pick one of the app's own endpoints (./api/endpoints), fill its path parameters, headers
// and body, send it from the browser and see status, time and body, with the equivalent cURL command. The analytics
// group's own endpoints are never listed, and a path under the dashboard's prefix is refused.
var RequestAnalyticsPlayground = (function () {
  'use strict';
  const F = RequestAnalyticsFormat;
  const PARAMETER = /\{\*{0,2}([^}:?=]+)[^}]*\}/g;
  let catalog = null;

  const $ = (id) => document.getElementById(id);

  /** catalogPromise: the page's first ./api/endpoints answer, which the access panel shares (the URL is preloaded once). */
  async function init(catalogPromise) {
    const select = $('play-endpoint');
    try {
      catalog = await catalogPromise;
    } catch {
      return;
    }
    for (const [i, e] of catalog.endpoints.entries()) {
      const option = document.createElement('option');
      option.value = String(i);
      option.textContent = `${e.method} ${e.route}`;
      select.appendChild(option);
    }
    select.addEventListener('change', showParameters);
    $('play-form').addEventListener('submit', (e) => { e.preventDefault(); send(); });
    showParameters();
  }

  function selected() {
    return catalog && catalog.endpoints[Number($('play-endpoint').value)];
  }

  function showParameters() {
    const container = $('play-parameters');
    container.textContent = '';
    const endpoint = selected();
    if (!endpoint) return;
    for (const name of endpoint.parameters) {
      const label = document.createElement('label');
      label.textContent = name;
      const input = document.createElement('input');
      input.name = name;
      input.dataset.parameter = name;
      input.autocomplete = 'off';
      label.appendChild(input);
      container.appendChild(label);
    }
    $('play-body').disabled = ['GET', 'HEAD', 'DELETE'].includes(endpoint.method);
  }

  function request() {
    const endpoint = selected();
    const values = Object.fromEntries([...document.querySelectorAll('#play-parameters input')].map((i) => [i.dataset.parameter, i.value]));
    const path = endpoint.route.replace(PARAMETER, (_, name) => encodeURIComponent(values[name] ?? ''));
    const url = new URL(catalog.basePath + (path.startsWith('/') ? path : '/' + path), location.origin);
    const headers = {};
    for (const line of $('play-headers').value.split('\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
    }
    const body = $('play-body').disabled ? '' : $('play-body').value.trim();
    if (body && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    return { method: endpoint.method, url, headers, body };
  }

  function curl(r) {
    const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
    const parts = ['curl', '-X', r.method, quote(r.url.href)];
    for (const [name, value] of Object.entries(r.headers)) parts.push('-H', quote(`${name}: ${value}`));
    if (r.body) parts.push('--data', quote(r.body));
    return parts.join(' ');
  }

  async function send() {
    const r = request();
    $('play-curl').textContent = curl(r);
    const own = new URL('.', document.baseURI).pathname;
    if (r.url.origin !== location.origin || r.url.pathname.startsWith(own)) {
      $('play-status').textContent = 'Refused: the playground does not call the analytics endpoints themselves.';
      return;
    }
    $('play-status').textContent = 'Sending…';
    const started = performance.now();
    try {
      const response = await fetch(r.url, { method: r.method, headers: r.headers, body: r.body || undefined, redirect: 'manual' });
      const text = await response.text();
      const elapsed = performance.now() - started;
      $('play-status').textContent = `${response.status} ${response.statusText} · ${F.duration(elapsed)}`;
      $('play-status').className = `status s${String(response.status)[0]}`;
      let shown = text;
      try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch { /* not JSON: as is */ }
      $('play-response').textContent = shown;
    } catch (error) {
      $('play-status').textContent = `Failed: ${error.message}`;
    }
  }

  return { init };
})();
