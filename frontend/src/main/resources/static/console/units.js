// Numbers on chart axes and legends as the tables write them: bytes in KiB/MiB/GiB, ratios 0-100 %.
export function bytes(v) {
  if (v == null) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? `${v.toFixed(0)} B` : `${v.toFixed(1)} ${units[u]}`;
}

export function format(unit, v) {
  if (v == null) return '–';
  if (unit === 'ratio') return `${(v * 100).toFixed(1)} %`;
  if (unit === 'bytes') return bytes(v);
  if (unit === 'count') return v.toFixed(0);
  if (Math.abs(v) >= 1000) return `${(v / 1000).toFixed(1)}k`;
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2);
}

// A y scale fitting the unit: ratios always 0-100 %, everything else from 0 up to a little over the data.
export function scale(unit) {
  if (unit === 'ratio') return { range: [0, 1] };
  return { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] };
}

const PALETTE = ['#1f6feb', '#2da44e', '#bf8700', '#cf222e', '#8250df', '#1b7c83', '#bc4c00', '#57606a',
  '#0969da', '#1a7f37', '#9a6700', '#a40e26'];
export function colour(i) { return PALETTE[i % PALETTE.length]; }
