#!/usr/bin/env node
// Long runs under co-execution (not a speed benchmark): 10,000 steps each of fixtures (mlp and dropblock by
// default; unmodified, through `node -r @terrajs/cli/register`, loops instrumented) and of a dynamic loop
// defined here (two optimizers, a PRNG-chosen loss term, a carried tensor, reads every 10 steps). Sampled every --every
// steps: RSS, tensors, worker values, the lineage, TraceGraph nodes, compiled segments, time per step.
// Checks: tensors and worker values flat after warm-up, RSS growth small, no segment compiled after
// warm-up (no more segments than the paths taken), last decile not slower than the first.
//
// usage: node bench/long_run.js [--steps 10000] [--every 500] [--fixtures mlp,dropblock] [--no-dynamic]
//        (writes bench/results-long-run.md)
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { parseArgs } = require('util');

const { values: opts } = parseArgs({
  options: {
    steps: { type: 'string', default: '10000' },
    every: { type: 'string', default: '500' },
    fixtures: { type: 'string', default: 'mlp,dropblock' },
    'no-dynamic': { type: 'boolean', default: false },
  },
});
const STEPS = Number(opts.steps);
const EVERY = Number(opts.every);
const ROOT = path.resolve(__dirname, '..');

function runFixture(name) {
  const out = path.join(os.tmpdir(), `terra-long-run-${name}-${process.pid}.json`);
  const start = Date.now();
  const r = spawnSync(process.execPath, ['-r', '@terrajs/cli/register', '-r', path.join(__dirname, 'long_run/probe.js'),
    path.join(ROOT, 'fixtures', name, 'train.js'), String(STEPS)], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, LONG_RUN_OUT: out, LONG_RUN_EVERY: String(EVERY) }, maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`fixtures/${name} failed (${r.status}): ${r.stderr}`);
  const result = JSON.parse(fs.readFileSync(out, 'utf8'));
  fs.rmSync(out);
  return { name: `fixtures/${name} (unmodified, register entry)`, seconds: (Date.now() - start) / 1000, ...result, paths: undefined };
}

/** A loop whose path changes from step to step: which optimizer, an extra loss term, a read. */
async function runDynamic() {
  const tf = require('@tensorflow/tfjs');
  const { coexecution } = require('@terrajs/runtime');
  const { sampler } = require('./long_run/sampler');
  const { prng } = require('../packages/runtime/test/fuzz/program_generator');
  const rand = prng(11);
  const seeded = (shape, scale = 0.3) => tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rand() - 0.5) * scale), shape);
  await tf.setBackend('terra');
  coexecution.start();
  const sample = sampler(tf, coexecution);
  const start = Date.now();
  const w1 = tf.variable(seeded([16, 32]));
  const w2 = tf.variable(seeded([32, 4]));
  const x = seeded([8, 16], 2);
  const y = seeded([8, 4], 2);
  const adam = tf.train.adam(0.005);
  const sgd = tf.train.sgd(0.02);
  let state = tf.zeros([8, 32]);
  const paths = new Set();
  for (let step = 1; step <= STEPS; step++) {
    const extra = rand() < 0.3;
    const opt = step % 4 === 3 ? sgd : adam;
    const read = step % 10 === 0;
    paths.add(`${extra}/${opt === sgd}/${read}`);
    const loss = opt.minimize(() => {
      const h = tf.tanh(tf.add(tf.matMul(x, w1), state));
      const base = tf.losses.meanSquaredError(y, tf.matMul(h, w2));
      return (extra ? tf.add(base, tf.mul(1e-3, tf.sum(tf.square(w1)))) : base);
    }, true, [w1, w2]);
    const next = tf.tidy(() => tf.mul(tf.tanh(tf.add(tf.matMul(x, w1), state)), 0.5));
    state.dispose();
    state = next;
    if (read && !Number.isFinite(loss.dataSync()[0])) throw new Error('the loss diverged');
    loss.dispose();
    if (step % EVERY === 0) sample(step);
  }
  const stats = coexecution.stats();
  await coexecution.stop();
  tf.dispose([x, y, state]);
  return { name: 'dynamic loop (in this file: 2 optimizers, PRNG loss term, carried state, reads)', seconds: (Date.now() - start) / 1000,
    steps: STEPS, samples: sample.samples, stats, paths: paths.size };
}

function analyse(run) {
  const s = run.samples;
  const warm = s[Math.max(0, Math.floor(s.length / 10) - 1)] ?? s[0];
  const last = s[s.length - 1];
  const decile = Math.max(1, Math.floor(s.length / 10));
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  // The first sample holds tracing and compiles: deciles are taken from the second sample on.
  const firstDecile = mean(s.slice(1, 1 + decile).map((x) => x.msPerStep));
  const lastDecile = mean(s.slice(-decile).map((x) => x.msPerStep));
  // The worker holds the program's state plus the values of the steps still in flight (freed once the
  // worker confirms their runs), so its count moves with how far JS is ahead: compare each half's least.
  const after = s.filter((x) => x.step > warm.step);
  const half = Math.floor(after.length / 2);
  const range = (xs) => [Math.min(...xs.map((x) => x.workerValues)), Math.max(...xs.map((x) => x.workerValues))];
  const firstHalf = range(after.slice(0, half));
  const secondHalf = range(after.slice(half));
  return {
    warm, last, firstHalf, secondHalf,
    tensorsFlat: warm.tensors === last.tensors && warm.buffers === last.buffers,
    workerFlat: secondHalf[0] <= firstHalf[0],
    rssGrowthMB: last.rssMB - warm.rssMB,
    heapGrowthMB: last.heapMB - warm.heapMB,
    segmentsAfterWarmup: last.segmentsCompiled - warm.segmentsCompiled,
    graphNodesAfterWarmup: last.graphNodes - warm.graphNodes,
    maxLineage: Math.max(...s.map((x) => x.lineage ?? 0)),
    firstDecile, lastDecile, slowdown: lastDecile / firstDecile,
  };
}

function write(runs) {
  const f = (x, d = 2) => (x === undefined ? '-' : Number(x).toFixed(d));
  const lines = ['# Long runs under co-execution', '',
    `\`node bench/long_run.js --steps ${STEPS} --every ${EVERY}\`, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores ` +
    '(shared with other work while measured: times are noisy, compare within a run only). See docs/reliability.md.', ''];
  for (const run of runs) {
    const a = analyse(run);
    lines.push(`## ${run.name}`, '',
      `${run.steps} steps in ${f(run.seconds, 0)} s; ${run.stats.iterations.coexecuted} of ${run.stats.iterations.total} iterations co-executed, ` +
      `${run.stats.divergenceCount} divergences, ${run.stats.segments.compiled} segments compiled` +
      (run.paths ? ` for ${run.paths} distinct paths taken` : '') + `, ${run.stats.segments.runs} segment runs.`, '',
      '| check | result |', '|---|---|',
      `| tensors and tfjs buffers, step ${a.warm.step} vs ${a.last.step} | ${a.warm.tensors}/${a.warm.buffers} vs ${a.last.tensors}/${a.last.buffers}: ${a.tensorsFlat ? 'flat' : '**grew**'} |`,
      `| values held by the GraphRunner worker (least..most, first half vs second half after step ${a.warm.step}; the excess over the least is steps in flight) | ` +
        `${a.firstHalf.join('..')} vs ${a.secondHalf.join('..')}: ${a.workerFlat ? 'no growth' : '**grew**'} |`,
      `| RSS | ${f(a.warm.rssMB, 0)} MB vs ${f(a.last.rssMB, 0)} MB (${a.rssGrowthMB >= 0 ? '+' : ''}${f(a.rssGrowthMB, 1)} MB) |`,
      `| JS heap after a full GC | ${f(a.warm.heapMB, 1)} MB vs ${f(a.last.heapMB, 1)} MB (${a.heapGrowthMB >= 0 ? '+' : ''}${f(a.heapGrowthMB, 1)} MB) |`,
      `| lineage (runs kept since the last host checkpoint), max over the run | ${a.maxLineage} |`,
      `| segments compiled after step ${a.warm.step} | ${a.segmentsAfterWarmup} |`,
      `| TraceGraph nodes added after step ${a.warm.step} | ${a.graphNodesAfterWarmup} |`,
      `| ms per step, first decile vs last decile | ${f(a.firstDecile, 3)} vs ${f(a.lastDecile, 3)} (x${f(a.slowdown)}) |`,
      '', '| step | ms/step | RSS MB | heap MB | tensors | worker values | lineage | graph nodes | segments | divergences |', '|---|---|---|---|---|---|---|---|---|---|',
      ...run.samples.map((x) => `| ${x.step} | ${f(x.msPerStep, 3)} | ${f(x.rssMB, 0)} | ${f(x.heapMB, 1)} | ${x.tensors} | ${x.workerValues} | ${x.lineage} | ${x.graphNodes} | ${x.segmentsCompiled} | ${x.divergences} |`),
      '');
  }
  fs.writeFileSync(path.join(__dirname, 'results-long-run.md'), lines.join('\n'));
}

async function main() {
  const runs = opts.fixtures.split(',').filter(Boolean).map(runFixture);
  if (!opts['no-dynamic']) runs.push(await runDynamic());
  for (const run of runs) process.stdout.write(`${run.name}: ${JSON.stringify(analyse(run))}\n`);
  write(runs);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
