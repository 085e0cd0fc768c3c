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

const events = new EventSource('/events/fleet');
events.addEventListener('fleet', (e) => {
  const snapshot = JSON.parse(e.data);
  let known = true;
  for (const r of snapshot.rows) known = applyRow(r) && known;
  for (const g of snapshot.groups) applyGroup(g);
  const rows = document.querySelectorAll('#nodes tbody tr').length;
  // a node joined or left (DNS discovery): the table's shape changed, so load it again
  if (!known || rows !== snapshot.rows.length) location.reload();
  state.textContent = `live, updated ${new Date(snapshot.time).toLocaleTimeString()}`;
});
events.addEventListener('error', () => { state.textContent = 'live updates paused, retrying'; });
