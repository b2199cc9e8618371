// Hand-written SVG charts: a bar chart (requests with errors overlaid) and a multi-line chart (latency, events).
// No dependency; colours come from CSS classes, so the themes restyle them. Both take release markers: a vertical line
// with the release's name where it first served a request, when that is inside the chart.
(function () {
  'use strict';
  const NS = 'http://www.w3.org/2000/svg';
  const PAD = { left: 52, right: 12, top: 12, bottom: 24 };

  function el(name, attributes, parent) {
    const node = document.createElementNS(NS, name);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    if (parent) parent.appendChild(node);
    return node;
  }

  function niceMax(value) {
    if (!(value > 0)) return 1;
    const magnitude = Math.pow(10, Math.floor(Math.log10(value)));
    for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
    return 10 * magnitude;
  }

  /** Draws the frame (grid, y labels, x labels) and returns the scales. */
  function frame(container, times, maxY, formatY) {
    container.textContent = '';
    const width = Math.max(container.clientWidth, 200);
    const height = Math.max(container.clientHeight, 120);
    const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none' }, container);
    const plotW = width - PAD.left - PAD.right;
    const plotH = height - PAD.top - PAD.bottom;
    const top = niceMax(maxY);
    const y = (v) => PAD.top + plotH - (v / top) * plotH;
    const x = (i) => PAD.left + (times.length <= 1 ? plotW / 2 : (i / (times.length - 1)) * plotW);
    const grid = el('g', { class: 'grid' }, svg);
    const axis = el('g', { class: 'axis' }, svg);
    for (let k = 0; k <= 4; k++) {
      const value = (top * k) / 4;
      el('line', { x1: PAD.left, x2: width - PAD.right, y1: y(value), y2: y(value) }, grid);
      el('text', { x: PAD.left - 6, y: y(value) + 4, 'text-anchor': 'end' }, axis).textContent = formatY(value);
    }
    const span = times.length > 1 ? times[times.length - 1] - times[0] : 0;
    const labels = Math.max(1, Math.min(6, times.length, Math.floor(plotW / 80))); // about 80 px a label, so a phone gets 3
    for (let k = 0; k < labels; k++) {
      const i = labels === 1 ? 0 : Math.round((k * (times.length - 1)) / (labels - 1));
      el('text', { x: x(i), y: height - 6, 'text-anchor': k === 0 ? 'start' : k === labels - 1 ? 'end' : 'middle' }, axis)
        .textContent = RequestAnalyticsFormat.axisTime(new Date(times[i]), span);
    }
    return { svg, x, y, plotW, width, height };
  }

  /**
   * A vertical line and label per release [{ time, label }] that started inside the chart: after its first bucket (a
   * release first seen there may have started before the range) and before the end of its last.
   */
  function releaseMarkers(f, times, markers) {
    if (!markers || !markers.length || times.length < 2) return;
    const step = times[1] - times[0];
    const xAt = (time) => {
      let i = 0;
      while (i < times.length - 2 && times[i + 1] <= time) i++;
      return f.x(i) + ((time - times[i]) / (times[i + 1] - times[i])) * (f.x(i + 1) - f.x(i));
    };
    const inside = markers.filter((m) => m.time > times[0] && m.time < times[times.length - 1] + step)
      .map((m) => ({ ...m, at: xAt(m.time) })).sort((a, b) => a.at - b.at);
    const g = el('g', { class: 'releases' }, f.svg);
    let previous = -Infinity;
    let row = 0;
    for (const m of inside) {
      // Releases close together take the next line for their names, three lines deep, so the names stay readable.
      row = m.at - previous < 8 * Math.max(...inside.map((r) => r.label.length)) ? (row + 1) % 3 : 0;
      previous = m.at;
      const marker = el('g', { class: 'release', 'data-release': m.label }, g);
      el('line', { x1: m.at, x2: m.at, y1: f.y(0), y2: 2 }, marker);
      const nearEnd = m.at > f.width - 60;
      el('text', { x: nearEnd ? m.at - 3 : m.at + 3, y: 10 + row * 12, 'text-anchor': nearEnd ? 'end' : 'start' }, marker).textContent = m.label;
      el('title', {}, marker).textContent = m.title || m.label;
    }
  }

  function empty(container, message) {
    container.textContent = '';
    const svg = el('svg', { viewBox: '0 0 300 100' }, container);
    el('text', { x: 150, y: 55, 'text-anchor': 'middle', class: 'empty' }, svg).textContent = message;
  }

  function tooltip(container, svg, times, describe, x) {
    const tip = document.createElement('div');
    tip.className = 'tooltip';
    tip.hidden = true;
    container.appendChild(tip);
    svg.addEventListener('mousemove', (event) => {
      const box = svg.getBoundingClientRect();
      const px = ((event.clientX - box.left) / box.width) * svg.viewBox.baseVal.width;
      let best = 0;
      for (let i = 1; i < times.length; i++) if (Math.abs(x(i) - px) < Math.abs(x(best) - px)) best = i;
      tip.textContent = describe(best);
      tip.style.left = `${(x(best) / svg.viewBox.baseVal.width) * 100}%`;
      tip.style.top = `${event.clientY - box.top}px`;
      tip.hidden = false;
    });
    svg.addEventListener('mouseleave', () => { tip.hidden = true; });
  }

  /** Bars of `total` per bucket with `errors` drawn over them, and release markers [{ time (ms), label, title }]. */
  function bars(container, points, totalKey, errorKey, describe, markers) {
    if (!points.length || points.every((p) => !p[totalKey])) return empty(container, 'No requests in this range');
    const times = points.map((p) => Date.parse(p.time));
    const max = Math.max(...points.map((p) => p[totalKey]));
    const f = frame(container, times, max, RequestAnalyticsFormat.count);
    const barW = Math.max(1, (f.plotW / points.length) * 0.8);
    const g = el('g', {}, f.svg);
    points.forEach((p, i) => {
      const cx = f.x(i) - barW / 2;
      if (p[totalKey]) el('rect', { class: 'bar', x: cx, width: barW, y: f.y(p[totalKey]), height: f.y(0) - f.y(p[totalKey]) }, g);
      if (p[errorKey]) el('rect', { class: 'bar error', x: cx, width: barW, y: f.y(p[errorKey]), height: f.y(0) - f.y(p[errorKey]) }, g);
    });
    releaseMarkers(f, times, markers);
    tooltip(container, f.svg, times, (i) => describe(points[i]), f.x);
  }

  /** One line per series: [{ name, className, values[] }] over shared times; markers as for bars. */
  function lines(container, times, series, formatY, describe, emptyMessage, markers) {
    const all = series.flatMap((s) => s.values).filter((v) => v != null);
    if (!times.length || !all.some((v) => v > 0)) return empty(container, emptyMessage);
    const f = frame(container, times, Math.max(...all), formatY);
    for (const s of series) {
      let d = '';
      s.values.forEach((v, i) => { if (v != null) d += `${d ? 'L' : 'M'}${f.x(i).toFixed(1)},${f.y(v).toFixed(1)}`; });
      const path = el('path', { class: `line ${s.className || ''}`, d }, f.svg);
      if (s.color) path.style.stroke = s.color;
      // A value with no neighbour draws no line: mark it with a dot so a lone bucket still shows.
      s.values.forEach((v, i) => {
        if (v == null || s.values[i - 1] != null || s.values[i + 1] != null) return;
        const dot = el('circle', { class: `point ${s.className || ''}`, cx: f.x(i), cy: f.y(v), r: 3 }, f.svg);
        if (s.color) dot.style.fill = s.color;
      });
    }
    releaseMarkers(f, times, markers);
    tooltip(container, f.svg, times, describe, f.x);
  }

  globalThis.RequestAnalyticsCharts = { bars, lines, empty };
})();
