/**
 * The web board's one page: HTML with its CSS and script inline, so it needs no network at all. The
 * script opens the board's WebSocket, and on every message redraws the DAG (SVG, from the layout the
 * server computed), the timeline, the workers, the events and the details of the selected bead. Text
 * from issues only ever reaches the page as DOM text, never as markup.
 */
import { createHash } from 'node:crypto'

/** The board's stylesheet. */
export const BOARD_STYLE = String.raw`
:root {
  color-scheme: dark;
  --bg: #0d1117; --panel: #161b22; --line: #30363d; --text: #e6edf3; --muted: #8b949e;
  --pending: #8b949e; --ready: #58a6ff; --in_progress: #d29922; --in_review: #a371f7;
  --completed: #3fb950; --failed: #f85149; --blocked: #db6d28; --cancelled: #6e7681;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
a { color: var(--ready); }
header { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: baseline; padding: 14px 20px; border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; font-size: 18px; }
#goal { color: var(--muted); flex: 1; min-width: 200px; }
.stats { display: flex; gap: 18px; font-variant-numeric: tabular-nums; }
.stats b { display: block; font-size: 11px; font-weight: 500; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
#conn { font-size: 12px; color: var(--muted); }
#conn.live::before { content: "● "; color: var(--completed); }
#conn.down::before { content: "● "; color: var(--failed); }
.banner { margin: 12px 20px 0; padding: 10px 14px; border-radius: 8px; background: #12361f; border: 1px solid var(--completed); font-weight: 600; }
#progress { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; padding: 12px 20px 0; }
.bar { flex: 1 1 240px; height: 8px; border-radius: 4px; background: var(--line); overflow: hidden; display: flex; }
.bar span { height: 100%; }
.chip { font-size: 12px; padding: 2px 8px; border-radius: 10px; border: 1px solid var(--line); white-space: nowrap; }
.chip i, .legend i { display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 5px; }
main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(260px, 1fr); align-items: start; gap: 14px; padding: 14px 20px 20px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; min-width: 0; }
.panel h2 { margin: 0 0 10px; font-size: 12px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: .06em; }
#dag-panel { grid-column: 1; }
#details { grid-column: 2; grid-row: 1 / span 2; }
#timeline-panel { grid-column: 1; }
#workers-panel { grid-column: 1; }
#events-panel { grid-column: 2; }
#dag { display: block; max-width: 100%; height: auto; }
#dag .node { cursor: pointer; }
#dag .node rect { fill: #0d1117; stroke-width: 2; }
#dag .node.selected rect { stroke-width: 3.5; filter: drop-shadow(0 0 4px rgba(255,255,255,.35)); }
#dag .node text { fill: var(--text); font-size: 13px; }
#dag .node text.sub { fill: var(--muted); font-size: 11px; }
#dag .node[data-status="in_progress"] rect { animation: pulse 1.4s ease-in-out infinite; }
#dag .edge { fill: none; stroke: var(--line); stroke-width: 1.6; }
#dag .edge.done { stroke: #2d6a3a; }
@keyframes pulse { 50% { stroke-opacity: .35; } }
@media (prefers-reduced-motion: reduce) { #dag .node rect { animation: none !important; } }
.legend { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 8px; font-size: 12px; color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
#timeline { font-size: 12px; }
.tl-row { display: grid; grid-template-columns: 150px 1fr; align-items: center; height: 22px; cursor: pointer; }
.tl-label { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; padding-right: 8px; color: var(--muted); }
.tl-track { position: relative; height: 14px; background: rgba(255,255,255,.03); border-radius: 3px; }
.tl-bar { position: absolute; top: 0; height: 14px; border-radius: 3px; min-width: 3px; }
.tl-bar.running { background-image: linear-gradient(90deg, transparent 60%, rgba(255,255,255,.25)); }
.tl-axis { display: grid; grid-template-columns: 150px 1fr; color: var(--muted); margin-top: 4px; }
.tl-ticks { display: flex; justify-content: space-between; font-variant-numeric: tabular-nums; }
#workers, #events { list-style: none; margin: 0; padding: 0; }
#workers li { padding: 3px 0; }
#events { max-height: 420px; overflow: auto; font-size: 12.5px; }
#events li { padding: 3px 0; border-bottom: 1px solid rgba(48,54,61,.5); }
#events time { color: var(--muted); font-variant-numeric: tabular-nums; margin-right: 8px; }
#events li.finished { color: var(--completed); font-weight: 600; }
#events li[data-bead] { cursor: pointer; }
dl { display: grid; grid-template-columns: auto 1fr; gap: 4px 12px; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
.status { font-weight: 600; }
@media (max-width: 900px) { main { grid-template-columns: 1fr; } #details, #events-panel, #timeline-panel, #workers-panel, #dag-panel { grid-column: 1; grid-row: auto; } }
`

/** The board's script: connects, redraws on each message, keeps the clock moving between messages. */
export const BOARD_SCRIPT = String.raw`
(function () {
  'use strict';
  var STATUSES = ['in_progress', 'in_review', 'ready', 'pending', 'blocked', 'failed', 'completed', 'cancelled'];
  var SVGNS = 'http://www.w3.org/2000/svg';
  var state = { snapshot: null, layout: null, receivedAt: 0, selected: null, messages: 0 };
  var byId = function (id) { return document.getElementById(id); };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var name in attrs || {}) node.setAttribute(name, attrs[name]);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function sv(tag, attrs, text) {
    var node = document.createElementNS(SVGNS, tag);
    for (var name in attrs || {}) node.setAttribute(name, attrs[name]);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function safeUrl(url) { return typeof url === 'string' && /^https?:\/\//i.test(url) ? url : null; }
  function link(url, text) {
    var href = safeUrl(url);
    if (!href) return el('span', {}, text);
    var a = el('a', { href: href, target: '_blank', rel: 'noopener noreferrer' }, text);
    return a;
  }
  function words(status) { return status.replace('_', ' '); }
  function color(status) { return 'var(--' + status + ')'; }
  function two(n) { return (n < 10 ? '0' : '') + n; }
  function clock(ms) {
    var s = Math.max(0, Math.floor(ms / 1000)), h = Math.floor(s / 3600);
    var rest = two(Math.floor((s % 3600) / 60)) + ':' + two(s % 60);
    return h > 0 ? h + ':' + rest : rest;
  }
  function duration(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return s + 's';
    var m = Math.floor(s / 60);
    if (m < 60) return m + 'm' + two(s % 60) + 's';
    return Math.floor(m / 60) + 'h' + two(m % 60) + 'm';
  }
  function tokens(n) {
    if (n < 1000) return String(Math.round(n));
    if (n < 1e6) return (n / 1000).toFixed(1) + 'k';
    return (n / 1e6).toFixed(2) + 'M';
  }
  function cost(usd) { return '$' + (usd < 1 ? usd.toFixed(4) : usd.toFixed(2)); }
  function short(text, max) { return text.length > max ? text.slice(0, max - 1) + '…' : text; }

  // The run's "now": the server's time at the last message, moved on by the page's own clock.
  function now() {
    var s = state.snapshot;
    if (s.finished) return s.startedAt + s.elapsedMs;
    return s.now + (Date.now() - state.receivedAt);
  }
  function beadOf(number) {
    var beads = state.snapshot.beads;
    for (var i = 0; i < beads.length; i++) if (beads[i].number === number) return beads[i];
    return null;
  }
  function select(number) { state.selected = number; render(); }

  function renderHeader() {
    var s = state.snapshot, goal = byId('goal');
    clear(goal);
    goal.appendChild(el('span', {}, s.repo));
    if (s.goal) {
      goal.appendChild(document.createTextNode(' · '));
      goal.appendChild(link(s.goal.url, 'goal #' + s.goal.number + ' ' + s.goal.title));
    }
    byId('elapsed').textContent = clock(now() - s.startedAt);
    byId('tokens').textContent = tokens(s.tokens);
    byId('cost').textContent = cost(s.costUsd);
    document.title = (s.finished ? '✓ ' : '') + 'Gas Town · ' + s.repo;
  }

  function renderProgress() {
    var s = state.snapshot, box = byId('progress');
    clear(box);
    var total = s.beads.length, bar = el('div', { class: 'bar', title: 'beads by status' });
    var done = s.beads.filter(function (b) { return b.status === 'completed'; }).length;
    box.appendChild(el('span', { id: 'done-count', 'data-done': String(done), 'data-total': String(total) }, done + '/' + total + ' completed'));
    box.appendChild(bar);
    ['completed', 'in_review', 'in_progress', 'ready', 'pending', 'blocked', 'failed', 'cancelled'].forEach(function (status) {
      var count = s.beads.filter(function (b) { return b.status === status; }).length;
      if (count === 0) return;
      var part = el('span');
      part.style.width = (100 * count / total) + '%';
      part.style.background = color(status);
      bar.appendChild(part);
      var chip = el('span', { class: 'chip', 'data-status': status });
      var dot = el('i'); dot.style.background = color(status);
      chip.appendChild(dot);
      chip.appendChild(document.createTextNode(count + ' ' + words(status)));
      box.appendChild(chip);
    });
  }

  function renderDag() {
    var s = state.snapshot, layout = state.layout, svg = byId('dag');
    clear(svg);
    if (!layout || layout.nodes.length === 0) {
      svg.setAttribute('viewBox', '0 0 400 40'); svg.setAttribute('width', '400'); svg.setAttribute('height', '40');
      svg.appendChild(sv('text', { x: '8', y: '24', class: 'empty', fill: '#8b949e' }, s.goal ? 'Waiting for the plan…' : 'Waiting for a goal…'));
      return;
    }
    svg.setAttribute('viewBox', '0 0 ' + layout.width + ' ' + layout.height);
    svg.setAttribute('width', String(layout.width));
    svg.setAttribute('height', String(layout.height));
    var defs = sv('defs');
    var marker = sv('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' });
    marker.appendChild(sv('path', { d: 'M0 0 L10 5 L0 10 z', fill: '#6e7681' }));
    defs.appendChild(marker);
    svg.appendChild(defs);
    layout.edges.forEach(function (edge) {
      var from = beadOf(edge.from);
      var done = from && from.status === 'completed';
      svg.appendChild(sv('path', { class: 'edge' + (done ? ' done' : ''), d: edge.path, 'marker-end': 'url(#arrow)', 'data-from': String(edge.from), 'data-to': String(edge.to) }));
    });
    layout.nodes.forEach(function (node) {
      var bead = beadOf(node.number);
      if (!bead) return;
      var g = sv('g', { class: 'node' + (state.selected === bead.number ? ' selected' : ''), transform: 'translate(' + node.x + ' ' + node.y + ')', 'data-bead': String(bead.number), 'data-status': bead.status, tabindex: '0', role: 'button' });
      g.appendChild(sv('title', {}, '#' + bead.number + ' ' + bead.title));
      g.appendChild(sv('rect', { width: String(layout.nodeWidth), height: String(layout.nodeHeight), rx: '8', stroke: color(bead.status) }));
      g.appendChild(sv('circle', { cx: String(layout.nodeWidth - 12), cy: '12', r: '5', fill: color(bead.status) }));
      g.appendChild(sv('text', { x: '10', y: '19' }, short('#' + bead.number + ' ' + bead.key, 22)));
      var sub = bead.role + ' · ' + words(bead.status) + (bead.attempt > 1 ? ' · try ' + bead.attempt : '');
      g.appendChild(sv('text', { x: '10', y: '36', class: 'sub' }, short(sub, 30)));
      svg.appendChild(g);
    });
    var legend = byId('legend');
    if (!legend.firstChild) {
      STATUSES.forEach(function (status) {
        var item = el('span'); var dot = el('i'); dot.style.background = color(status);
        item.appendChild(dot); item.appendChild(document.createTextNode(words(status)));
        legend.appendChild(item);
      });
    }
  }

  function renderTimeline() {
    var s = state.snapshot, box = byId('timeline'), end = now();
    clear(box);
    var span = Math.max(1000, end - s.startedAt);
    box.setAttribute('data-span-ms', String(Math.round(span)));
    var beads = s.beads.slice().sort(function (a, b) {
      var x = a.startedAt === undefined ? Infinity : a.startedAt, y = b.startedAt === undefined ? Infinity : b.startedAt;
      return x - y || a.number - b.number;
    });
    if (beads.length === 0) { box.appendChild(el('div', { class: 'empty' }, 'No beads yet.')); return; }
    beads.forEach(function (bead) {
      var row = el('div', { class: 'tl-row', 'data-bead': String(bead.number) });
      row.appendChild(el('div', { class: 'tl-label', title: bead.title }, '#' + bead.number + ' ' + bead.key));
      var track = el('div', { class: 'tl-track' });
      if (bead.startedAt !== undefined) {
        var stop = bead.endedAt !== undefined ? bead.endedAt : end;
        var bar = el('div', { class: 'tl-bar' + (bead.endedAt === undefined ? ' running' : ''), 'data-bead': String(bead.number), 'data-status': bead.status, 'data-start': String(bead.startedAt - s.startedAt), 'data-end': String(stop - s.startedAt), title: '#' + bead.number + ' ' + words(bead.status) + ' · ' + duration(stop - bead.startedAt) });
        bar.style.left = (100 * Math.max(0, bead.startedAt - s.startedAt) / span) + '%';
        bar.style.width = (100 * Math.max(0, stop - bead.startedAt) / span) + '%';
        bar.style.background = color(bead.status);
        track.appendChild(bar);
      }
      row.appendChild(track);
      box.appendChild(row);
    });
    var axis = el('div', { class: 'tl-axis' }), ticks = el('div', { class: 'tl-ticks' });
    axis.appendChild(el('span'));
    for (var i = 0; i <= 4; i++) ticks.appendChild(el('span', {}, clock(span * i / 4)));
    axis.appendChild(ticks);
    box.appendChild(axis);
  }

  function renderWorkers() {
    var s = state.snapshot, list = byId('workers');
    clear(list);
    byId('busy').textContent = String(s.workers.length);
    if (s.workers.length === 0) { list.appendChild(el('li', { class: 'empty' }, 'No worker busy.')); return; }
    s.workers.forEach(function (w) {
      var item = el('li', { 'data-bead': String(w.bead) });
      item.appendChild(el('b', {}, '#' + w.bead + ' ' + w.key));
      item.appendChild(document.createTextNode(' ' + w.role + ', attempt ' + w.attempt + ' '));
      if (w.runId !== undefined) item.appendChild(link(w.runUrl, 'run ' + w.runId));
      if (w.startedAt !== undefined) item.appendChild(document.createTextNode(' · ' + duration(now() - w.startedAt)));
      list.appendChild(item);
    });
  }

  function renderEvents() {
    var s = state.snapshot, list = byId('events');
    clear(list);
    s.events.slice().reverse().forEach(function (event) {
      var item = el('li', { class: event.kind, 'data-kind': event.kind });
      item.appendChild(el('time', {}, '+' + clock(event.at - s.startedAt)));
      item.appendChild(document.createTextNode(event.text));
      if (event.bead !== undefined) item.setAttribute('data-bead', String(event.bead));
      list.appendChild(item);
    });
  }

  function renderDetails() {
    var body = byId('detail-body');
    clear(body);
    var bead = state.selected === null ? null : beadOf(state.selected);
    if (!bead) { body.appendChild(el('p', { class: 'empty' }, 'Click a bead in the graph or the timeline.')); return; }
    body.setAttribute('data-bead', String(bead.number));
    body.appendChild(el('h3', { id: 'detail-title' }, '#' + bead.number + ' ' + bead.title));
    var dl = el('dl');
    function row(name, value) { dl.appendChild(el('dt', {}, name)); var dd = el('dd'); if (typeof value === 'string') dd.textContent = value; else dd.appendChild(value); dl.appendChild(dd); }
    var status = el('span', { class: 'status', 'data-status': bead.status }, bead.detail || (words(bead.status) + (bead.needsHuman ? ' · needs a human' : '')));
    status.style.color = color(bead.status);
    row('Status', status);
    row('Key', bead.key);
    if (bead.rebases) row('Rebase attempts', String(bead.rebases));
    row('Role', bead.role);
    row('Attempt', String(bead.attempt));
    var deps = el('span');
    if (bead.deps.length === 0) deps.textContent = 'none';
    bead.deps.forEach(function (dep, i) {
      if (i > 0) deps.appendChild(document.createTextNode(', '));
      var a = el('a', { href: '#', 'data-dep': String(dep) }, '#' + dep);
      a.addEventListener('click', function (e) { e.preventDefault(); select(dep); });
      deps.appendChild(a);
    });
    row('Depends on', deps);
    row('Issue', link(bead.issueUrl, '#' + bead.number));
    row('Pull request', bead.pr !== undefined ? link(bead.prUrl, '#' + bead.pr) : el('span', { class: 'empty' }, 'none yet'));
    row('Tokens', tokens(bead.tokens));
    row('Cost', cost(bead.costUsd));
    if (bead.startedAt !== undefined) {
      row('Started', '+' + clock(bead.startedAt - state.snapshot.startedAt));
      row('Duration', duration((bead.endedAt !== undefined ? bead.endedAt : now()) - bead.startedAt) + (bead.endedAt === undefined ? ' so far' : ''));
    }
    body.appendChild(dl);
  }

  function renderBanner() {
    var s = state.snapshot, banner = byId('finished');
    banner.hidden = !s.finished;
    banner.textContent = s.finished ? 'Finished in ' + clock(s.elapsedMs) + ': ' + (s.outcome || 'the run is over') : '';
  }

  function render() {
    if (!state.snapshot) return;
    renderHeader(); renderProgress(); renderDag(); renderTimeline(); renderWorkers(); renderEvents(); renderDetails(); renderBanner();
    document.body.setAttribute('data-messages', String(state.messages));
  }

  function connect() {
    var conn = byId('conn');
    var socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
    socket.onopen = function () { conn.className = 'live'; conn.textContent = 'live'; };
    socket.onmessage = function (message) {
      var data = JSON.parse(message.data);
      if (data.type !== 'snapshot' && data.type !== 'update') return;
      state.snapshot = data.snapshot; state.layout = data.layout; state.receivedAt = Date.now(); state.messages++;
      render();
    };
    socket.onclose = function () {
      conn.className = 'down'; conn.textContent = 'disconnected';
      // A finished run's board has nothing more to say; otherwise the server may come back.
      if (!state.snapshot || !state.snapshot.finished) setTimeout(connect, 2000);
    };
  }

  // One listener per panel, on elements that are never redrawn: a redraw between press and release
  // would otherwise swallow the click on a bead drawn anew.
  ['dag', 'timeline', 'events'].forEach(function (id) {
    var panel = byId(id);
    panel.addEventListener('pointerdown', function (e) {
      var target = e.target.closest ? e.target.closest('[data-bead]') : null;
      if (target && panel.contains(target)) select(Number(target.getAttribute('data-bead')));
    });
    panel.addEventListener('keydown', function (e) {
      var target = e.target.closest ? e.target.closest('[data-bead]') : null;
      if (target && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); select(Number(target.getAttribute('data-bead'))); }
    });
  });

  setInterval(function () {
    if (state.snapshot && !state.snapshot.finished) { renderHeader(); renderTimeline(); renderWorkers(); }
  }, 1000);
  connect();
})();
`

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`
}

/** The Content-Security-Policy of the page: its own inline style and script, its own WebSocket, nothing else. */
export function boardPolicy(origins: readonly string[]): string {
  const sockets = origins.map((origin) => origin.replace(/^http/, 'ws')).join(' ')
  return [
    "default-src 'none'",
    `style-src ${sha256(BOARD_STYLE)}`,
    `script-src ${sha256(BOARD_SCRIPT)}`,
    `connect-src 'self' ${sockets}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

/** The page itself. */
export function renderBoardPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gas Town</title>
<link rel="icon" href="data:,">
<style>${BOARD_STYLE}</style>
</head>
<body>
<header>
  <div class="brand">Gas Town</div>
  <div id="goal">connecting…</div>
  <div class="stats">
    <span><b>elapsed</b><span id="elapsed">00:00</span></span>
    <span><b>tokens</b><span id="tokens">0</span></span>
    <span><b>cost</b><span id="cost">$0.0000</span></span>
    <span><b>workers</b><span id="busy">0</span></span>
    <span id="conn">connecting</span>
  </div>
</header>
<div id="finished" class="banner" role="status" hidden></div>
<section id="progress"></section>
<main>
  <section class="panel" id="dag-panel"><h2>Beads</h2><svg id="dag" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="bead dependency graph"></svg><div class="legend" id="legend"></div></section>
  <aside class="panel" id="details"><h2>Details</h2><div id="detail-body"></div></aside>
  <section class="panel" id="timeline-panel"><h2>Timeline</h2><div id="timeline"></div></section>
  <section class="panel" id="workers-panel"><h2>Workers</h2><ul id="workers"></ul></section>
  <section class="panel" id="events-panel"><h2>Events</h2><ol id="events"></ol></section>
</main>
<script>${BOARD_SCRIPT}</script>
</body>
</html>
`
}
