// Node charts: one uPlot per series, filled from /api/history and extended from /events/node.
const box = document.getElementById('charts');
const node = box.dataset.node;
const hint = document.querySelector('.js-only-hint');
if (hint) hint.hidden = true;

const charts = [];
const data = { t: [] };

function fmt(series, v) {
  if (v == null) return '–';
  if (series === 'HIT_RATIO') return (v * 100).toFixed(1) + ' %';
  if (series === 'MEMORY_BYTES') return (v / 1048576).toFixed(1) + ' MiB';
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2);
}

function build(history) {
  Object.assign(data, history);
  for (const div of box.querySelectorAll('.chart')) {
    const series = div.dataset.series;
    const plot = new uPlot({
      title: div.dataset.label,
      width: 420,
      height: 180,
      series: [{}, { label: div.dataset.label, stroke: '#1f6feb', width: 1.5, value: (u, v) => fmt(series, v) }],
      axes: [{}, { values: (u, vals) => vals.map((v) => fmt(series, v)), size: 70 }],
    }, [data.t, data[series] || []], div);
    charts.push({ plot, series });
  }
}

function append(point) {
  if (!point.t || point.t.length === 0) return;
  const last = data.t.length ? data.t[data.t.length - 1] : -1;
  point.t.forEach((t, i) => {
    if (t <= last) return;
    data.t.push(t);
    for (const { series } of charts) (data[series] = data[series] || []).push(point[series][i]);
  });
  for (const { plot, series } of charts) plot.setData([data.t, data[series]]);
}

fetch(`/api/history?id=${encodeURIComponent(node)}`, { credentials: 'same-origin' })
  .then((r) => r.json())
  .then((history) => {
    build(history.t ? history : { t: [] });
    const events = new EventSource(`/events/node?id=${encodeURIComponent(node)}`);
    events.addEventListener('point', (e) => append(JSON.parse(e.data)));
  });
