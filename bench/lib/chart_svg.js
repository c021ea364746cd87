// bench/results.svg: per fixture, each mode's speed-up over terra eager (terra eager's time per
// iteration over the mode's), grouped bars on a log scale. Plain SVG text, no library.
const SERIES = [
  { key: 'cpu', label: 'tfjs cpu', color: '#9e9e9e' },
  { key: 'wasm', label: 'tfjs wasm', color: '#f2a65a' },
  { key: 'static', label: 'terra static', color: '#8fb8de' },
  { key: 'terra', label: 'terra', color: '#2e6fac' },
  { key: 'limit', label: 'static limit', color: '#5aa469' },
];

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function speedups(f) {
  const eager = f.modes.eager?.ms;
  const time = (key) => (key === 'limit' ? f.limit?.ms : ['ok', 'drift'].includes(f.modes[key]?.outcome.kind) ? f.modes[key].ms : undefined);
  return SERIES.map((s) => {
    const t = time(s.key);
    return eager !== undefined && t !== undefined && t > 0 ? eager / t : undefined;
  });
}

function renderChart(summary) {
  const rows = summary.fixtures.map((f) => ({ name: f.name, values: speedups(f) }));
  const all = rows.flatMap((r) => r.values).filter((v) => v !== undefined);
  const lo = Math.min(0.125, ...all.map((v) => 2 ** Math.floor(Math.log2(v))));
  const hi = Math.max(4, ...all.map((v) => 2 ** Math.ceil(Math.log2(v))));
  const bar = 12;
  const group = SERIES.length * bar + 18;
  const left = 56;
  const top = 40;
  const plotH = 260;
  const width = Math.max(600, left + Math.max(1, rows.length) * group + 20);
  const height = top + plotH + 70;
  const y = (v) => top + plotH - ((Math.log2(v) - Math.log2(lo)) / (Math.log2(hi) - Math.log2(lo))) * plotH;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${left}" y="16" font-size="13" font-weight="bold">Speed-up over terra eager (time per iteration, log scale)</text>`,
  ];
  for (let v = lo; v <= hi * 1.0001; v *= 2) {
    const yy = y(v).toFixed(1);
    out.push(`<line x1="${left}" x2="${width - 10}" y1="${yy}" y2="${yy}" stroke="${v === 1 ? '#444' : '#ddd'}"/>`,
      `<text x="${left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${v >= 1 ? v : `1/${1 / v}`}x</text>`);
  }
  rows.forEach((r, i) => {
    const x0 = left + i * group + 9;
    r.values.forEach((v, k) => {
      const x = x0 + k * bar;
      if (v === undefined) {
        out.push(`<text x="${x + bar / 2}" y="${y(1) - 3}" text-anchor="middle" fill="#999">-</text>`);
        return;
      }
      const y1 = y(Math.max(v, lo));
      const base = y(1);
      out.push(`<rect x="${x}" y="${Math.min(y1, base).toFixed(1)}" width="${bar - 2}" height="${Math.abs(base - y1).toFixed(1)}" fill="${SERIES[k].color}">` +
        `<title>${esc(`${r.name}, ${SERIES[k].label}: ${v.toFixed(2)}x`)}</title></rect>`);
    });
    out.push(`<text x="${x0 + (SERIES.length * bar) / 2}" y="${top + plotH + 14}" text-anchor="middle">${esc(r.name)}</text>`);
  });
  SERIES.forEach((s, k) => {
    const x = left + k * 100;
    out.push(`<rect x="${x}" y="${height - 22}" width="10" height="10" fill="${s.color}"/>`,
      `<text x="${x + 14}" y="${height - 13}">${esc(s.label)}</text>`);
  });
  out.push(`<text x="${left}" y="${top - 8}" fill="#666">bars start at 1x (terra eager); a missing bar: the mode could not run the fixture or was wrong</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

module.exports = { renderChart };
