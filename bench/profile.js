#!/usr/bin/env node
// Where terra's time goes in a fixture's steady state (not a speed benchmark): runs the fixture under
// `terra run` with V8's CPU profiler, drops the first part of the samples (start-up, tracing, first
// compiles), and prints the main thread's time by component (self time) and the time inside the
// co-executor's main activities (inclusive). The worker thread's profile is not read: in every fixture
// measured here the JS thread bounds the step (see bench/results.md).
//
// usage: node bench/profile.js <fixture> [--iterations 80] [--from 0.4] [--mode terra] [--top 25]
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { parseArgs } = require('util');

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    iterations: { type: 'string', default: '80' },
    from: { type: 'string', default: '0.4' },
    mode: { type: 'string', default: 'terra' },
    top: { type: 'string', default: '25' },
  },
});
const fixture = positionals[0];
const ROOT = path.resolve(__dirname, '..');
if (!fixture || !fs.existsSync(path.join(ROOT, 'fixtures', fixture, 'train.js'))) {
  process.stderr.write('usage: node bench/profile.js <fixture> [--iterations 80] [--from 0.4] [--mode terra] [--top 25]\n');
  process.exit(2);
}

/** What a frame is counted under, by where its code lives. */
function component(url) {
  if (url === '') return 'native, GC and idle';
  if (url.includes('/@tensorflow/tfjs-core/')) return 'tfjs-core (engine, tape, ops)';
  if (url.includes('/@tensorflow/tfjs-layers/')) return 'tfjs-layers';
  if (url.includes('/@tensorflow/')) return 'other tfjs';
  const terra = /packages\/runtime\/dist\/([a-z_]+)\//.exec(url);
  if (terra) return `terra ${terra[1]}`;
  if (url.includes('/fixtures/')) return 'the fixture itself';
  if (url.startsWith('node:')) return 'node internals';
  return 'other modules (babel, cli, ...)';
}

/** Co-executor activities, by the function that enters them (inclusive time; they nest, so they overlap). */
const ACTIVITIES = [
  ['kernel calls under co-execution', 'runKernel', 'coexec/co_executor.js'],
  ['  validated and made lazy (prediction, claims)', 'runPredicted', 'coexec/co_executor.js'],
  ['  run eagerly (tracing, divergences, breaks)', 'runEagerly', 'coexec/co_executor.js'],
  ['iteration boundaries', 'boundary', 'coexec/co_executor.js'],
  ['  merging the trace into the TraceGraph', 'merge', 'trace/trace_graph.js'],
  ['planning run-ahead stretches', 'build', 'coexec/stretch.js'],
  ['compiling segments (JS blocked while ORT creates the session)', 'compileSync', 'graph_runner/graph_runner.js'],
  ['recomputing values a stretch kept inside', 'recomputeInside', 'coexec/co_executor.js'],
  ['waiting for the worker (all blocking waits)', 'waitSync', 'graph_runner/graph_runner.js'],
];

function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terra-profile-'));
  try {
    const r = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, path.join(ROOT, 'packages/cli/bin/terra.js'), 'run',
      '--mode', opts.mode, path.join('fixtures', fixture, 'train.js'), opts.iterations], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`the fixture failed (${r.status}): ${r.stderr}`);
    // The main thread writes the first profile (its thread id is the lowest).
    const file = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort()[0];
    report(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function report(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const from = Math.floor(profile.samples.length * Number(opts.from));
  const self = new Map();
  const inside = new Map();
  const functions = new Map();
  let total = 0;
  for (let i = from; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const leaf = byId.get(profile.samples[i]).callFrame;
    const c = component(leaf.url);
    self.set(c, (self.get(c) ?? 0) + dt);
    const fn = `${leaf.functionName || '(anonymous)'} ${leaf.url.replace(/^.*\/(node_modules|packages)\//, '')}:${leaf.lineNumber + 1}`;
    functions.set(fn, (functions.get(fn) ?? 0) + dt);
    const seen = new Set();
    for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id).callFrame;
      for (const [label, name, file] of ACTIVITIES) {
        if (f.functionName === name && f.url.endsWith(file) && !seen.has(label)) {
          seen.add(label);
          inside.set(label, (inside.get(label) ?? 0) + dt);
        }
      }
    }
  }
  const ms = (t) => `${(t / 1000).toFixed(0)} ms`.padStart(9);
  const pct = (t) => `${((100 * t) / total).toFixed(1)}%`.padStart(6);
  const out = [`fixtures/${fixture}, ${opts.mode} mode, ${opts.iterations} iterations; main thread, samples after the first ${Number(opts.from) * 100}%: ${ms(total).trim()}`,
    '', 'self time by component:'];
  for (const [c, t] of [...self].sort((a, b) => b[1] - a[1])) out.push(`${ms(t)} ${pct(t)}  ${c}`);
  out.push('', 'inside the co-executor (inclusive; nested lines are part of the line above):');
  for (const [label] of ACTIVITIES) out.push(`${ms(inside.get(label) ?? 0)} ${pct(inside.get(label) ?? 0)}  ${label}`);
  out.push('', `top ${opts.top} functions by self time:`);
  for (const [f, t] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, Number(opts.top))) out.push(`${ms(t)} ${pct(t)}  ${f}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
