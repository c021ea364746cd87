#!/usr/bin/env node
// Benchmark (not a test): every fixture (fixtures/*/ with train.js and README.md) under tfjs cpu, tfjs
// wasm, terra eager, terra static and terra, each a `terra run` child process, plus the static limit
// (one co-executed iteration's segments run back to back by ORT; TERRA_STATIC_LIMIT). Repeated with the
// modes interleaved (this VM's speed drifts), medians. Writes bench/results.md, bench/results.svg and the
// raw numbers in bench/results.json. See bench/README.md for what each figure means.
//
// usage: node bench/fixtures.js [--quick] [--fixtures a,b] [--repeats n] [--minutes m] [--warm-cache] [--report-only]
const fs = require('fs');
const os = require('os');
const path = require('path');
const { parseArgs } = require('util');
const { runChild } = require('./lib/child_run');
const { discoverFixtures } = require('./lib/fixture_list');
const { outcome } = require('./lib/outcome');
const { steadyState } = require('./lib/timing');
const { summarize } = require('./lib/summary');
const { renderMarkdown } = require('./lib/report_md');
const { renderChart } = require('./lib/chart_svg');

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    fixtures: { type: 'string' },
    repeats: { type: 'string' },
    minutes: { type: 'string' },
    'warm-cache': { type: 'boolean', default: false },
    'report-only': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  process.stdout.write(`usage: npm run bench -- [options]

Runs every fixture under tfjs cpu, tfjs wasm, terra eager, terra static, terra and the static limit,
repeated with the modes interleaved; writes bench/results.md, results.svg and results.json.

  --quick            a smoke run: fewer iterations, one repeat
  --fixtures a,b     only these fixtures (names of fixtures/ folders)
  --repeats n        repeats per mode (default 3, quick 1)
  --minutes m        the time budget the repeats are fitted to (default 25)
  --warm-cache       time a later run's warm-up (the compiled-graph cache filled by a first run)
  --report-only      re-render results.md and results.svg from results.json
  -h, --help         this text
`);
  process.exit(0);
}
const REPO = path.resolve(__dirname, '..');
const OUT = { md: path.join(__dirname, 'results.md'), svg: path.join(__dirname, 'results.svg'), json: path.join(__dirname, 'results.json') };

/**
 * The runs of one fixture. `iterations` is the count passed to the fixture; steady state is timed from
 * the first step printed at or after `from` to the last (see lib/timing.js). terra eager, static and
 * terra run the same count, so their whole outputs compare line by line, and are timed from step 20
 * (co-execution traces a few iterations, then compiles its segments; the quick run, a smoke test,
 * from step 10). tfjs cpu and wasm have no warm-up
 * beyond their first iterations and are slow: 11 iterations timed from step 0, so that they print
 * steps 0 and 10 to compare with terra eager. `budgetMs`: after the first repeat, a mode whose timed
 * iterations took longer than this runs fewer in later repeats (not fewer than `min`); eager, static
 * and terra scale together, by terra eager's time.
 */
const MODES = opts.quick
  ? [
    { key: 'cpu', label: 'tfjs cpu', mode: 'cpu', iterations: 11, from: 0 },
    { key: 'wasm', label: 'tfjs wasm', mode: 'wasm', iterations: 11, from: 0, cpuKernels: true },
    { key: 'eager', label: 'terra eager', mode: 'eager', iterations: 15, from: 10, group: 'terra' },
    { key: 'static', label: 'terra static', mode: 'static', iterations: 15, from: 10, group: 'terra' },
    { key: 'terra', label: 'terra', mode: 'terra', iterations: 15, from: 10, group: 'terra' },
    { key: 'limit', label: 'static limit', mode: 'terra', iterations: 15, from: 10, staticLimit: true },
  ]
  : [
    { key: 'cpu', label: 'tfjs cpu', mode: 'cpu', iterations: 11, from: 0, min: 6, budgetMs: 8000 },
    { key: 'wasm', label: 'tfjs wasm', mode: 'wasm', iterations: 11, from: 0, min: 6, budgetMs: 8000, cpuKernels: true },
    { key: 'eager', label: 'terra eager', mode: 'eager', iterations: 40, from: 20, min: 30, budgetMs: 12000, group: 'terra' },
    { key: 'static', label: 'terra static', mode: 'static', iterations: 40, from: 20, group: 'terra' },
    { key: 'terra', label: 'terra', mode: 'terra', iterations: 40, from: 20, group: 'terra' },
    { key: 'limit', label: 'static limit', mode: 'terra', iterations: 25, from: 10, staticLimit: true },
  ];
const REPEATS = Number(opts.repeats ?? (opts.quick ? 1 : 3));
const TIMEOUT_MS = opts.quick ? 180000 : 300000;
/**
 * The whole run's time budget, shared equally by the fixtures: a fixture whose first repeat took
 * longer than its share allows gets fewer repeats (at least one).
 */
const BUDGET_MS = Number(opts.minutes ?? 25) * 60000;

const t0 = performance.now();
const elapsed = () => {
  const s = Math.round((performance.now() - t0) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/** What is kept of a run: no outputs, the figures and the parts of the stats the report uses. */
function record(mode, run, reference, repeat, iterations) {
  const s = run.stats;
  const r = {
    repeat, iterations, ms: run.ms, status: run.status,
    outcome: outcome(run, reference, mode.group === 'terra' && reference?.iterations === iterations),
    timing: steadyState(run.lines, mode.from) ?? null,
    rssBytes: run.rssBytes ?? null,
    ...(run.cpuKernels ? { cpuKernels: run.cpuKernels } : {}),
    stats: s && s.kernels?.counted ? {
      iterations: s.iterations, divergences: s.divergences.count, delegated: s.kernels.delegated, breaks: s.kernels.breaks,
      eagerKernels: s.kernels.ort + s.kernels.cpu, cpuKernels: s.kernels.cpu, segments: s.segments, timings: s.timings,
    } : null,
  };
  if (mode.staticLimit) {
    const l = run.staticLimit;
    r.staticLimit = !l ? { error: 'no TERRA_STATIC_LIMIT file was written' } : l.error ? { error: l.error } : {
      msPerIteration: l.msPerIteration, samples: l.samples, iteration: l.iteration, runs: l.runs.length, segments: l.segments,
      delegated: l.delegated, breaks: l.breaks, inputs: l.inputs,
    };
  }
  return r;
}

function describe(mode, r) {
  if (mode.staticLimit) return r.staticLimit.error ? `no static limit (${r.staticLimit.error})` : `${r.staticLimit.msPerIteration.toFixed(2)} ms/it`;
  const time = r.timing ? `${r.timing.perIterationMs.toFixed(2)} ms/it, warm-up ${(r.timing.warmupMs / 1000).toFixed(2)} s` : 'no timing';
  const rss = r.rssBytes ? `, ${(r.rssBytes / 2 ** 20).toFixed(0)} MB` : '';
  const borrowed = r.cpuKernels?.length ? `, ${r.cpuKernels.join(', ')} on tfjs cpu` : '';
  return `${time}${rss}${borrowed}, ${r.outcome.kind}${r.outcome.detail ? ` (${r.outcome.detail})` : ''}`;
}

/** Iterations for the later repeats, from the first repeat's times (see MODES). */
function rescale(counts, mode, r) {
  if (!mode.budgetMs || !r.timing) return;
  const n = Math.max(mode.min, Math.min(mode.iterations, mode.from + Math.floor(mode.budgetMs / r.timing.perIterationMs)));
  for (const m of MODES) if (m === mode || (mode.group && m.group === mode.group)) counts.set(m.key, n);
}

async function benchFixture(fx, index, total) {
  const start = performance.now();
  let repeats = REPEATS;
  const runs = Object.fromEntries(MODES.map((m) => [m.key, []]));
  let counts = new Map(MODES.map((m) => [m.key, m.iterations]));
  // --warm-cache: the runs share a compiled-graph cache, filled first by an untimed run of each co-executing mode.
  const cacheDir = opts['warm-cache'] ? fs.mkdtempSync(path.join(os.tmpdir(), `terra-bench-cache-${fx.name}-`)) : undefined;
  if (cacheDir) {
    for (const mode of ['terra', 'static']) await runChild({ mode, script: fx.script, iterations: counts.get(mode), timeoutMs: TIMEOUT_MS, cacheDir });
  }
  const rescaled = new Map(counts);
  for (let repeat = 0; repeat < repeats; repeat++) {
    // Rotated each repeat, so that no mode always runs first or right after the heaviest one.
    const order = MODES.map((_, i) => MODES[(i + repeat) % MODES.length]);
    // terra eager runs first in its repeat: the others are compared with it.
    const eagerMode = MODES.find((m) => m.key === 'eager');
    let reference;
    for (const mode of [eagerMode, ...order.filter((m) => m !== eagerMode)]) {
      const iterations = counts.get(mode.key);
      const run = await runChild({ mode: mode.mode, script: fx.script, iterations, staticLimit: mode.staticLimit, timeoutMs: TIMEOUT_MS, cacheDir, cpuKernels: mode.cpuKernels });
      if (mode === eagerMode && run.status === 0) reference = { stdout: run.stdout, iterations };
      const r = record(mode, run, mode === eagerMode ? undefined : reference, repeat, iterations);
      if (mode === eagerMode) r.outcome = run.status === 0 ? { kind: 'ok', detail: '' } : outcome(run, undefined, false);
      runs[mode.key].push(r);
      process.stderr.write(`[${index + 1}/${total} ${fx.name}, repeat ${repeat + 1}/${repeats}, ${elapsed()}] ${mode.label} ` +
        `(${iterations} it, ${(run.ms / 1000).toFixed(1)} s): ${describe(mode, r)}\n`);
      if (repeat === 0) rescale(rescaled, mode, r);
    }
    counts = rescaled;
    if (repeat === 0) {
      const first = performance.now() - start;
      repeats = Math.min(REPEATS, 1 + Math.max(0, Math.floor((BUDGET_MS / total - first) / first)));
      if (repeats < REPEATS) {
        process.stderr.write(`bench: ${fx.name}: ${repeats} repeat(s) instead of ${REPEATS}, to stay within ${BUDGET_MS / 60000} minutes for ${total} fixtures\n`);
      }
    }
  }
  if (cacheDir) fs.rmSync(cacheDir, { recursive: true, force: true });
  return { name: fx.name, repeats, runs };
}

async function measure() {
  const fixtures = discoverFixtures(REPO, opts.fixtures?.split(',').map((s) => s.trim()).filter(Boolean));
  if (fixtures.length === 0) throw new Error('no fixture found (fixtures/*/ with train.js and README.md)');
  process.stderr.write(`bench: ${fixtures.length} fixtures (${fixtures.map((f) => f.name).join(', ')}), ${REPEATS} repeat(s), ` +
    `budget ${BUDGET_MS / 60000} minutes\n`);
  const results = [];
  for (const [i, fx] of fixtures.entries()) {
    results.push(await benchFixture(fx, i, fixtures.length));
    const left = ((performance.now() - t0) / (i + 1)) * (fixtures.length - i - 1);
    process.stderr.write(`bench: ${i + 1} of ${fixtures.length} fixtures done, ${elapsed()} elapsed, about ${Math.ceil(left / 60000)} min left\n`);
  }
  return {
    generated: new Date().toISOString(),
    command: `npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    quick: opts.quick,
    warmCache: opts['warm-cache'],
    repeats: REPEATS,
    node: process.version,
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    wallMs: performance.now() - t0,
    modes: MODES.map(({ key, label, iterations, from }) => ({ key, label, iterations, from })),
    fixtures: results,
  };
}

async function main() {
  const data = opts['report-only'] ? JSON.parse(fs.readFileSync(OUT.json, 'utf8')) : await measure();
  if (!opts['report-only']) fs.writeFileSync(OUT.json, JSON.stringify(data, null, 1) + '\n');
  const summary = summarize(data);
  fs.writeFileSync(OUT.md, renderMarkdown(data, summary));
  fs.writeFileSync(OUT.svg, renderChart(summary));
  process.stderr.write(`bench: wrote ${path.relative(REPO, OUT.md)}, ${path.relative(REPO, OUT.svg)} and ${path.relative(REPO, OUT.json)} (${elapsed()})\n`);
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
