import { format, scale } from './units.js';

// Node charts: one uPlot per series, filled from /api/history and extended from /events/node.
const box = document.getElementById('charts');
const node = box.dataset.node;
const hint = document.querySelector('.js-only-hint');
if (hint) hint.hidden = true;

const charts = [];
const data = { t: [] };

const UNITS = { HIT_RATIO: 'ratio', MEMORY_BYTES: 'bytes', BYTES_READ_PER_SEC: 'bytes', BYTES_WRITTEN_PER_SEC: 'bytes',
  CONNECTIONS: 'count', ITEMS: 'count' };

function build(history) {
  Object.assign(data, history);
  for (const div of box.querySelectorAll('.chart')) {
    const series = div.dataset.series;
    const unit = UNITS[series] || 'rate';
    const defs = [{}, { label: div.dataset.label, stroke: '#1f6feb', width: 1.5, value: (u, v) => format(unit, v) }];
    const columns = [series];
    if (series === 'MEMORY_BYTES') {
      // used against the limit: the axis runs to the limit, so the chart shows how full the node is
      defs.push({ label: 'limit', stroke: '#cf222e', width: 1, dash: [6, 4], value: (u, v) => format(unit, v) });
      columns.push('MEMORY_LIMIT_BYTES');
    }
    const plot = new uPlot({
      title: div.dataset.label,
      width: 420,
      height: 180,
      series: defs,
      scales: { y: scale(unit) },
      axes: [{}, { values: (u, vals) => vals.map((v) => format(unit, v)), size: 70 }],
    }, [data.t, ...columns.map((c) => data[c] || [])], div);
    charts.push({ plot, columns });
  }
}

function append(point) {
  if (!point.t || point.t.length === 0) return;
  const last = data.t.length ? data.t[data.t.length - 1] : -1;
  point.t.forEach((t, i) => {
    if (t <= last) return;
    data.t.push(t);
    for (const { columns } of charts) {
      for (const c of columns) (data[c] = data[c] || []).push(point[c] ? point[c][i] : null);
    }
  });
  for (const { plot, columns } of charts) plot.setData([data.t, ...columns.map((c) => data[c])]);
}

fetch(`/api/history?id=${encodeURIComponent(node)}`, { credentials: 'same-origin' })
  .then((r) => r.json())
  .then((history) => {
    build(history.t ? history : { t: [] });
    const events = new EventSource(`/events/node?id=${encodeURIComponent(node)}`);
    events.addEventListener('point', (e) => append(JSON.parse(e.data)));
  });
