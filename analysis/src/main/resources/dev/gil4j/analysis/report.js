// Draws gil4j's report plots as SVG from the JSON in #gil4j-data: one percentile-distribution
// plot per lock (HdrHistogram's style) into #plots, and the GIL timeline into #timeline-plot.
(function () {
  'use strict';
  var DATA = JSON.parse(document.getElementById('gil4j-data').textContent);
  var NS = 'http://www.w3.org/2000/svg';

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) {
      e.setAttribute(k, attrs[k]);
    }
    if (parent) {
      parent.appendChild(e);
    }
    return e;
  }

  function label(parent, x, y, s, attrs) {
    var t = el('text', Object.assign({ x: x, y: y }, attrs || {}), parent);
    t.textContent = s;
    return t;
  }

  function duration(ns) {
    if (ns < 1e3) return Math.round(ns) + 'ns';
    if (ns < 1e6) return +(ns / 1e3).toPrecision(3) + 'us';
    if (ns < 1e9) return +(ns / 1e6).toPrecision(3) + 'ms';
    return +(ns / 1e9).toPrecision(3) + 's';
  }

  // Long names keep their end, where the class and line are.
  function clip(s, n) {
    return s.length <= n ? s : '…' + s.slice(s.length - n + 1);
  }

  // The smallest 1, 2 or 5 times a power of ten at or above v.
  function niceCeiling(v) {
    if (v <= 0) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      if (steps[i] * p >= v) return steps[i] * p;
    }
    return 10 * p;
  }

  // Decade k of 1/(1-p) is percentile 100 - 100/10^k: 0%, 90%, 99%, 99.9%, ...
  function percentileLabel(k) {
    if (k === 0) return '0%';
    return (100 - 100 / Math.pow(10, k)).toFixed(Math.max(0, k - 2)) + '%';
  }

  function percentilePlot(container, plot) {
    var W = 560, H = 320, L = 70, R = 16, T = 44, B = 46;
    var w = W - L - R, h = H - T - B;
    var maxX = 100, maxY = 1;
    plot.series.forEach(function (s) {
      s.points.forEach(function (p) {
        maxX = Math.max(maxX, p[0]);
        maxY = Math.max(maxY, p[1]);
      });
    });
    var decades = Math.max(2, Math.ceil(Math.log10(maxX) - 1e-9));
    var yTop = niceCeiling(maxY * 1.05);
    function sx(x) { return L + (Math.log10(Math.max(1, x)) / decades) * w; }
    function sy(y) { return T + h - (y / yTop) * h; }
    var svg = el('svg', {
      'class': 'percentile-plot', width: W, height: H, viewBox: '0 0 ' + W + ' ' + H,
      'data-title': plot.title
    }, container);
    el('title', {}, svg).textContent = plot.title + ' ' + plot.subtitle;
    label(svg, 8, 16, clip(plot.title, 80), { 'class': 'title' });
    label(svg, 8, 32, clip(plot.subtitle, 90), { 'class': 'subtitle' });
    for (var k = 0; k <= decades; k++) {
      var x = sx(Math.pow(10, k));
      el('line', { 'class': 'grid', x1: x, x2: x, y1: T, y2: T + h }, svg);
      label(svg, x, T + h + 16, percentileLabel(k), { 'text-anchor': 'middle', 'class': 'xtick' });
    }
    for (var i = 0; i <= 5; i++) {
      var v = yTop * i / 5, y = sy(v);
      el('line', { 'class': 'grid', x1: L, x2: L + w, y1: y, y2: y }, svg);
      label(svg, L - 6, y + 4, duration(v), { 'text-anchor': 'end', 'class': 'ytick' });
    }
    el('line', { 'class': 'axis', x1: L, x2: L + w, y1: T + h, y2: T + h }, svg);
    el('line', { 'class': 'axis', x1: L, x2: L, y1: T, y2: T + h }, svg);
    label(svg, L + w / 2, H - 8, 'percentile', { 'text-anchor': 'middle' });
    label(svg, 14, T + h / 2, 'latency', {
      'text-anchor': 'middle', transform: 'rotate(-90 14 ' + (T + h / 2) + ')'
    });
    plot.series.forEach(function (s, n) {
      var d = s.points.map(function (p, j) {
        return (j === 0 ? 'M' : 'L') + sx(p[0]).toFixed(1) + ' ' + sy(p[1]).toFixed(1);
      }).join(' ');
      el('path', { 'class': 'series ' + s.name, d: d, 'data-points': s.points.length }, svg);
      // The max, marked: also what a single-sample series shows.
      var last = s.points[s.points.length - 1];
      el('circle', { 'class': 'series-max ' + s.name, cx: sx(last[0]), cy: sy(last[1]), r: 3 }, svg);
      var lx = L + w - 150, ly = T + 12 + n * 16;
      el('line', { 'class': 'legend ' + s.name, x1: lx, x2: lx + 18, y1: ly - 4, y2: ly - 4, 'stroke-width': 2 }, svg);
      label(svg, lx + 24, ly, s.name + ' (n=' + s.count + ')');
    });
  }

  function timeline(container, threads, durationUs) {
    var LABEL = 170, W = 1120, ROW = 40, TOP = 10, AXIS = 30;
    var w = W - LABEL - 10;
    var H = TOP + threads.length * ROW + AXIS;
    var end = Math.max(1, durationUs);
    function sx(us) { return LABEL + Math.max(0, Math.min(1, us / end)) * w; }
    var svg = el('svg', {
      'class': 'gil-timeline', width: W, height: H, viewBox: '0 0 ' + W + ' ' + H
    }, container);
    if (threads.length === 0) {
      label(svg, 10, 24, 'No GIL events (gil=off, or gil4j.GilStatistics, GilDrop, GilWait not recorded).');
      return;
    }
    threads.forEach(function (t, i) {
      var y = TOP + i * ROW;
      var lane = el('g', { 'class': 'lane', 'data-thread': t.name }, svg);
      label(lane, LABEL - 8, y + 22, t.name.length > 26 ? t.name.slice(0, 25) + '…' : t.name,
        { 'text-anchor': 'end' });
      el('title', {}, lane).textContent = t.name;
      t.holds.forEach(function (s) {
        el('rect', { 'class': 'hold-span', x: sx(s[0]), y: y + 2, width: Math.max(0.5, sx(s[0] + s[1]) - sx(s[0])), height: 12 }, lane);
      });
      t.waits.forEach(function (s) {
        el('rect', { 'class': 'wait-span', x: sx(s[0]), y: y + 2, width: Math.max(0.5, sx(s[0] + s[1]) - sx(s[0])), height: 12 }, lane);
      });
      t.periods.forEach(function (p) {
        var x0 = sx(p[0]), x1 = sx(p[1]), whole = p[2] + p[3] + p[4];
        if (whole <= 0 || x1 <= x0) return;
        var top = y + 17, band = 19;
        [['held', p[2]], ['waiting', p[3]], ['released', p[4]]].forEach(function (part) {
          var hgt = band * part[1] / whole;
          if (hgt > 0) {
            el('rect', { 'class': part[0], x: x0, y: top, width: Math.max(0.5, x1 - x0 - 0.5), height: hgt }, lane);
          }
          top += hgt;
        });
      });
    });
    var base = TOP + threads.length * ROW;
    el('line', { 'class': 'axis', x1: LABEL, x2: LABEL + w, y1: base, y2: base }, svg);
    var seconds = end / 1e6, step = niceCeiling(seconds / 10);
    for (var s = 0; s <= seconds + 1e-9; s += step) {
      var x = sx(s * 1e6);
      el('line', { 'class': 'axis', x1: x, x2: x, y1: base, y2: base + 4 }, svg);
      label(svg, x, base + 16, +s.toPrecision(4) + ' s', { 'text-anchor': 'middle' });
    }
  }

  var plots = document.getElementById('plots');
  if (DATA.plots.length === 0) {
    plots.textContent = 'No wait times recorded.';
  }
  DATA.plots.forEach(function (p) { percentilePlot(plots, p); });
  timeline(document.getElementById('timeline-plot'), DATA.threads, DATA.durationUs);
  document.body.setAttribute('data-rendered', 'true');
})();
