import { format, scale, colour } from './units.js';

// Live fleet table: replaces each cell's text from the server's formatted rows after every poll.
// textContent only, never HTML: a node's error text or a group name cannot become markup.
const state = document.getElementById('live-state');

function cellsOf(row) {
  const cells = new Map();
  for (const td of row.querySelectorAll('td[data-field]')) cells.set(td.dataset.field, td);
  return cells;
}

function applyRow(r) {
  const tr = document.querySelector(`tr[data-node="${CSS.escape(r.id)}"]`);
  if (!tr) return false;
  tr.classList.toggle('up', r.up);
  tr.classList.toggle('down', !r.up);
  const cells = cellsOf(tr);
  for (const c of r.cells) {
    const td = cells.get(c.field);
    if (!td) continue;
    td.textContent = c.text;
    td.classList.toggle('warn', c.warn);
  }
  return true;
}

function applyGroup(g) {
  const tr = document.querySelector(`#groups tr[data-group="${CSS.escape(g.group)}"]`);
  if (!tr) return;
  const cells = cellsOf(tr);
  const up = cells.get('up');
  up.textContent = `${g.up} / ${g.total}`;
  up.classList.toggle('warn', g.up < g.total);
  for (const f of ['memory', 'items', 'getsPerSec', 'setsPerSec', 'evictionsPerSec', 'connections']) {
    cells.get(f).textContent = g[f];
  }
}

// the same query as the page (search, group, state, sort, page): the server sends just these rows
const events = new EventSource(`/events/fleet${location.search}`);
const count = document.getElementById('fleet-count');
events.addEventListener('fleet', (e) => {
  const snapshot = JSON.parse(e.data);
  let known = true;
  for (const r of snapshot.rows) known = applyRow(r) && known;
  for (const g of snapshot.groups) applyGroup(g);
  const rows = document.querySelectorAll('#nodes tbody tr').length;
  // a node joined or left, or moved onto or off this page: the table's shape changed, so load it again
  // (rows that only change places within the page stay put until then, so the table does not jump)
  if (!known || rows !== snapshot.rows.length
      || (count && Number(count.dataset.matched) !== snapshot.matched)) location.reload();
  state.textContent = `live, updated ${new Date(snapshot.time).toLocaleTimeString()}`;
  refreshCharts();
});
events.addEventListener('error', () => { state.textContent = 'live updates paused, retrying'; });

// Group charts: per-node series and the group's line (sum; mean for the hit ratio) from /api/history/group,
// drawn once a group's section is open and extended after every poll. Node ids and group names reach uPlot as
// series labels, which it writes as text.
const jsHint = document.querySelector('.js-only-hint');
if (jsHint) jsHint.hidden = true;
const groupCharts = new Map(); // group -> { t, series, plots: [{ plot, series, overlay }], nodes, busy }

function linesOf(history, name) {
  const s = history.series[name] || {};
  return ['group', ...history.nodes].map((id) => s[id] || []);
}

function drawGroup(details) {
  const group = details.dataset.group;
  if (groupCharts.has(group)) return;
  const entry = { t: [], series: {}, nodes: [], plots: [], busy: true };
  groupCharts.set(group, entry);
  fetch(`/api/history/group?group=${encodeURIComponent(group)}`, { credentials: 'same-origin' })
    .then((r) => r.json())
    .then((h) => {
      entry.t = h.t; entry.series = h.series; entry.nodes = h.nodes;
      for (const div of details.querySelectorAll('.chart')) {
        const { series, overlay, label, unit } = div.dataset;
        const defs = [{}, { label: 'group', stroke: '#24292f', width: 2, value: (u, v) => format(unit, v) }];
        h.nodes.forEach((id, i) => defs.push({ label: id, stroke: colour(i), width: 1, value: (u, v) => format(unit, v) }));
        const data = [h.t, ...linesOf(h, series)];
        if (overlay) {
          defs.push({ label: 'limit (group)', stroke: '#cf222e', width: 1, dash: [6, 4], value: (u, v) => format(unit, v) });
          data.push(linesOf(h, overlay)[0]);
        }
        const plot = new uPlot({
          title: label, width: 420, height: 200, series: defs,
          scales: { y: scale(unit) },
          axes: [{}, { values: (u, vals) => vals.map((v) => format(unit, v)), size: 70 }],
        }, data, div);
        entry.plots.push({ plot, series, overlay });
      }
      entry.busy = false;
    });
}

function refreshCharts() {
  for (const [group, entry] of groupCharts) {
    if (entry.busy || entry.plots.length === 0) continue;
    entry.busy = true;
    const since = entry.t.length ? Math.round(entry.t[entry.t.length - 1] * 1000) + 1 : 0;
    fetch(`/api/history/group?group=${encodeURIComponent(group)}&since=${since}`, { credentials: 'same-origin' })
      .then((r) => r.json())
      .then((h) => {
        const last = entry.t.length ? entry.t[entry.t.length - 1] : -1;
        h.t.forEach((t, i) => {
          if (t <= last) return;
          entry.t.push(t);
          for (const name of Object.keys(entry.series)) {
            for (const id of Object.keys(entry.series[name])) {
              const line = (h.series[name] || {})[id];
              entry.series[name][id].push(line ? line[i] : null);
            }
          }
        });
        for (const { plot, series, overlay } of entry.plots) {
          const data = [entry.t, ...linesOf(entry, series)];
          if (overlay) data.push(linesOf(entry, overlay)[0]);
          plot.setData(data);
        }
      })
      .finally(() => { entry.busy = false; });
  }
}

for (const details of document.querySelectorAll('details.group-charts')) {
  if (details.open) drawGroup(details);
  details.addEventListener('toggle', () => { if (details.open) drawGroup(details); });
}
