#!/usr/bin/env node
// Overhead of babel-plugin-terra's hooks when nothing listens: a JS-heavy workload with no tensor work
// (function and method calls, recursion, closures, loops, branches, object and array work), run plain and
// instrumented in fresh node processes, alternating, several times; the medians go to bench/results-plugin.md.
// Usage: node bench/plugin_overhead.js [--runs N]   (needs `npm run build` for the plugin's dist)
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const babel = require('@babel/core');
const terra = require('babel-plugin-terra').default;

const WORKLOAD = String.raw`
class Vec {
  constructor(x, y) { this.x = x; this.y = y; }
  add(o) { return new Vec(this.x + o.x, this.y + o.y); }
  scale(k) { return new Vec(this.x * k, this.y * k); }
  len() { return Math.sqrt(this.x * this.x + this.y * this.y); }
}
function rng(seed) { let s = seed >>> 0; return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296); }
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
function clamp(v, lo, hi) { if (v < lo) return lo; else if (v > hi) return hi; return v; }
function classify(v) {
  switch (true) { case v < 0.25: return 'low'; case v < 0.5: return 'mid'; case v < 0.75: return 'high'; default: return 'top'; }
}
function particles(n, steps, rand) {
  let ps = [];
  for (let i = 0; i < n; i++) ps.push({ p: new Vec(rand(), rand()), v: new Vec(rand() - 0.5, rand() - 0.5) });
  for (let s = 0; s < steps; s++) {
    for (const q of ps) {
      q.p = q.p.add(q.v.scale(0.01));
      if (q.p.x < 0 || q.p.x > 1) q.v = new Vec(-q.v.x, q.v.y);
      if (q.p.y < 0 || q.p.y > 1) q.v = new Vec(q.v.x, -q.v.y);
      q.p = new Vec(clamp(q.p.x, 0, 1), clamp(q.p.y, 0, 1));
    }
  }
  return ps.reduce((a, q) => a + q.p.len(), 0);
}
function histogram(values) {
  const counts = new Map();
  for (const v of values) { const k = classify(v); counts.set(k, (counts.get(k) ?? 0) + 1); }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([k, c]) => k + '=' + c).join(',');
}
function sieve(n) {
  const marks = new Uint8Array(n + 1); let count = 0;
  for (let i = 2; i <= n; i++) { if (marks[i]) continue; count++; for (let j = i * i; j <= n; j += i) marks[j] = 1; }
  return count;
}
function words(rand, n) {
  const syl = ['ka', 'to', 're', 'mi', 'su', 'no'];
  const out = [];
  let i = 0;
  while (i < n) { let w = ''; const len = 1 + Math.floor(rand() * 3); for (let j = 0; j < len; j++) w += syl[Math.floor(rand() * syl.length)]; out.push(w); i++; }
  const freq = {};
  for (const w of out) freq[w] = (freq[w] || 0) + 1;
  return Object.keys(freq).filter((w) => freq[w] > 2).map((w) => w.toUpperCase()).sort().slice(0, 5).join(' ');
}
function objects(rand, n) {
  const rows = [];
  for (let i = 0; i < n; i++) rows.push({ id: i, score: rand(), tags: i % 3 === 0 ? ['a'] : ['b', 'c'], meta: { ok: rand() > 0.3 } });
  const good = rows.filter((r) => r.meta?.ok && r.tags.length > 1);
  const byTag = {};
  for (const r of good) for (const t of r.tags) (byTag[t] ??= []).push(r.score);
  return Object.entries(byTag).map(([t, xs]) => t + ':' + (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3)).join(' ');
}
function workload() {
  const rand = rng(7);
  const values = Array.from({ length: 20000 }, () => rand());
  return [fib(22), particles(300, 60, rand).toFixed(3), histogram(values), sieve(200000), words(rand, 20000), objects(rand, 20000)].join(' | ');
}
module.exports = workload;
`;

// One process loads both variants (separate files, so separate functions and JIT state) and alternates
// rounds, so that both see the same machine load; the per-pair ratio is robust to other processes.
const RUNNER = String.raw`
const [plainFile, instrFile, roundsArg] = process.argv.slice(2);
const plain = require(plainFile);
const instr = require(instrFile);
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const time = (f) => { const t0 = cpuMs(); let r; for (let k = 0; k < 5; k++) r = f(); return [cpuMs() - t0, r]; };
for (let i = 0; i < 3; i++) { plain(); instr(); } // warm up
const rows = [];
for (let i = 0; i < Number(roundsArg); i++) {
  const [a, ra] = time(plain);
  const [b, rb] = time(instr);
  if (ra !== rb) throw new Error('instrumented result differs: ' + ra + ' vs ' + rb);
  rows.push([a, b]);
}
console.log(JSON.stringify(rows));
`;

function main() {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const procs = arg('--procs', 5);
  const rounds = arg('--rounds', 12);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terra-plugin-bench-'));
  const plainFile = path.join(dir, 'plain.js');
  const instrFile = path.join(dir, 'instrumented.js');
  const runner = path.join(dir, 'runner.js');
  fs.writeFileSync(plainFile, WORKLOAD);
  const out = babel.transformSync(WORKLOAD, { filename: instrFile, babelrc: false, configFile: false, plugins: [[terra, { root: dir }]] });
  fs.writeFileSync(instrFile, out.code);
  fs.writeFileSync(runner, RUNNER);
  const sites = (out.code.match(/_ts\[_td\] =/g) || []).length;
  const loops = (out.code.match(/_th\.it\(/g) || []).length;
  const branches = (out.code.match(/_th\.br\(/g) || []).length;

  const rows = [];
  for (let p = 0; p < procs; p++) rows.push(...JSON.parse(execFileSync(process.execPath, [runner, plainFile, instrFile, String(rounds)], { encoding: 'utf8' })));
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const plainMs = rows.map((r) => r[0]);
  const instrMs = rows.map((r) => r[1]);
  const ratios = rows.map((r) => r[1] / r[0]).sort((x, y) => x - y);
  const q = (f) => ratios[Math.floor(f * (ratios.length - 1))];
  const ratio = median(ratios);
  const lines = [
    '# babel-plugin-terra overhead (no listener)',
    '',
    `Generated by \`node bench/plugin_overhead.js --procs ${procs} --rounds ${rounds}\` on ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load average ${os.loadavg()[0].toFixed(1)} at the end.`,
    '',
    'Workload (no tensor work): recursion (fib), a particle simulation with small class methods, a histogram with',
    'switch and Map, a sieve, string building and word counts, filtering and grouping of objects with optional',
    'chaining and `??=`. Each node process loads the plain and the instrumented file (hooks off: no listener),',
    'warms both up, then alternates rounds; each round (5 calls of the workload) is timed in process CPU time. Both produce the same result',
    '(checked every round). The ratio is taken per pair of adjacent rounds, so that load from other processes on',
    'this shared machine affects both sides alike.',
    '',
    `Instrumented source: ${sites} call sites, ${loops} loop hooks, ${branches} branch hooks.`,
    '',
    '| | plain | instrumented |',
    '|---|---|---|',
    `| median round, CPU ms | ${median(plainMs).toFixed(1)} | ${median(instrMs).toFixed(1)} |`,
    `| rounds | ${rows.length} | ${rows.length} |`,
    '',
    `**Slowdown: ${ratio.toFixed(3)}x** median of per-round ratios (quartiles ${q(0.25).toFixed(3)} to ${q(0.75).toFixed(3)}); budget 1.15x.`,
    '',
  ];
  fs.writeFileSync(path.join(__dirname, 'results-plugin.md'), lines.join('\n'));
  console.log(lines.join('\n'));
  fs.rmSync(dir, { recursive: true, force: true });
}

main();
