#!/usr/bin/env node
// Benchmark (not a test): co-execution on static training loops, against the same loop run eagerly on
// terra (kernel by kernel on ORT), in static mode (the tf.function-style replay), and against the
// static limit: the segment co-execution compiled for the step, run back to back by ORT alone on the
// main thread with inputs of the same shapes (no JS, no tfjs engine, no worker messages).
// Every mode runs in this process; median of several runs of many steps after warm-up.
// Also reports where co-execution's time goes: JS issuing and validating kernels, the worker's run
// time, and the time JS waited for values.
//
// usage: node bench/coexec_training.js [--quick]   (writes bench/results-coexec.md)
const fs = require('fs');
const os = require('os');
const path = require('path');
const { parseArgs } = require('util');
const tf = require('@tensorflow/tfjs');
const { coexecution } = require('@terrajs/runtime');
const { SyncSession, OrtTensorClass } = require('@terrajs/runtime/dist/ort/sync_session');
const { defaultIntraOpThreads } = require('@terrajs/runtime/dist/graph_runner/graph_runner');

const { values: opts } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const REPEATS = opts.quick ? 3 : 7;
const ROUNDS = opts.quick ? 1 : 5;
const STEPS = opts.quick ? 20 : 100;
const WARMUP = 12;

function seeded(shape, seed, scale = 0.2) {
  let s = seed >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = (s / 4294967296 - 0.5) * scale;
  }
  return tf.tensor(v, shape);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The models: each returns { step(readLoss) -> void, dispose() }. */
const MODELS = {
  'MLP 64 wide, 8 layers, batch 1 (sgd)': () => {
    const params = [];
    for (let l = 0; l < 8; l++) params.push(tf.variable(seeded([64, 64], 2 * l + 1)), tf.variable(seeded([64], 2 * l + 2)));
    const x = seeded([1, 64], 99, 2);
    const y = tf.oneHot(tf.tensor1d([3], 'int32'), 64);
    const opt = tf.train.sgd(0.01);
    return {
      step: (read) => {
        const loss = opt.minimize(() => {
          let h = x;
          for (let l = 0; l < 8; l++) {
            h = tf.add(tf.matMul(h, params[2 * l]), params[2 * l + 1]);
            if (l < 7) h = tf.relu(h);
          }
          return tf.losses.softmaxCrossEntropy(y, h);
        }, true);
        if (read) loss.dataSync();
        loss.dispose();
      },
      dispose: () => tf.dispose([x, y, ...params]),
    };
  },
  'MLP 784-256-256-10, batch 32 (adam)': () => {
    const sizes = [784, 256, 256, 10];
    const params = [];
    for (let l = 0; l < 3; l++) params.push(tf.variable(seeded([sizes[l], sizes[l + 1]], 2 * l + 1, 0.1)), tf.variable(tf.zeros([sizes[l + 1]])));
    const x = seeded([32, 784], 7, 2);
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 10), 'int32'), 10);
    const opt = tf.train.adam(0.001);
    return {
      step: (read) => {
        const loss = opt.minimize(() => {
          let h = x;
          for (let l = 0; l < 3; l++) {
            h = tf.add(tf.matMul(h, params[2 * l]), params[2 * l + 1]);
            if (l < 2) h = tf.relu(h);
          }
          return tf.losses.softmaxCrossEntropy(y, h);
        }, true);
        if (read) loss.dataSync();
        loss.dispose();
      },
      dispose: () => tf.dispose([x, y, ...params]),
    };
  },
  'conv net 8x32x32x3: two 3x3 convs, pools, dense (tfjs-layers model, sgd)': () => {
    const init = (seed) => tf.initializers.glorotUniform({ seed });
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3, activation: 'relu', kernelInitializer: init(1) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: init(2) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(3) }),
      ],
    });
    const opt = tf.train.sgd(0.01);
    const x = seeded([8, 32, 32, 3], 5, 2);
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: 8 }, (_, i) => i % 10), 'int32'), 10);
    return {
      step: (read) => {
        const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x)), true);
        if (read) loss.dataSync();
        loss.dispose();
      },
      dispose: () => { tf.dispose([x, y]); model.dispose(); },
    };
  },
};

/** ms per step over STEPS steps, after WARMUP steps (which trace and compile under co-execution). */
function timeSteps(model, read) {
  for (let i = 0; i < WARMUP; i++) model.step(read(i));
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < STEPS; k++) model.step(read(WARMUP + k));
  return Number(process.hrtime.bigint() - t0) / 1e6 / STEPS;
}

/** The segment run most often, run back to back by ORT on the main thread. */
function staticLimit(segment) {
  const session = new SyncSession(segment.model, {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: defaultIntraOpThreads(),
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  const ARRAY = { float32: Float32Array, int32: Int32Array, bool: Uint8Array };
  const feeds = segment.inputs.map((sig, k) => {
    const n = sig.shape.reduce((a, b) => a * b, 1);
    const data = new ARRAY[sig.dtype](n);
    let s = k + 1;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      data[i] = sig.dtype === 'float32' ? (s / 4294967296) * 0.1 + 0.01 : sig.dtype === 'bool' ? s & 1 : 0;
    }
    return new OrtTensorClass(sig.dtype, data, sig.shape);
  });
  for (let i = 0; i < 5; i++) session.run(feeds);
  const samples = [];
  for (let r = 0; r < REPEATS; r++) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < STEPS; k++) session.run(feeds);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6 / STEPS);
  }
  session.dispose();
  return median(samples);
}

/** One round: the model in every mode, one after the other. */
async function round(make, read) {
  const r = {};
  await tf.setBackend('terra');
  let m = make();
  r.eager = timeSteps(m, read);
  m.dispose();
  tf.disposeVariables();
  for (const mode of ['static', 'terra']) {
    coexecution.start({ mode });
    m = make();
    r[mode] = timeSteps(m, read);
    const stats = coexecution.stats();
    if (mode === 'static') {
      r.staticOk = stats.iterations.coexecuted > 0;
    } else {
      const worker = coexecution.workerStats();
      r.stats = stats;
      r.workerRunMs = worker.runMs / Math.max(1, worker.runs);
      r.segments = coexecution.compiledSegments();
    }
    m.dispose();
    await coexecution.stop();
    tf.disposeVariables();
  }
  return r;
}

/**
 * The machine's speed drifts over seconds (shared VM), so modes are not timed one after another once:
 * ROUNDS rounds each time every mode, and each mode's figure is its median over the rounds.
 */
async function measure(name, make, readEvery) {
  const read = (i) => i % readEvery === 0;
  const rounds = [];
  for (let k = 0; k < ROUNDS; k++) rounds.push(await round(make, read));
  const med = (f) => median(rounds.map(f));
  const last = rounds[rounds.length - 1];
  const s = last.stats;
  const row = {
    name,
    readEvery,
    eager: med((r) => r.eager),
    static: med((r) => r.static),
    staticOk: rounds.every((r) => r.staticOk),
    terra: med((r) => r.terra),
    runsPerStep: s.segments.runs / Math.max(1, s.iterations.coexecuted + s.iterations.diverged),
    kernelsPerStep: s.kernels.delegated / Math.max(1, s.iterations.coexecuted),
    runAheadShare: s.runAhead.kernels / Math.max(1, s.kernels.delegated),
  };
  row.workerRunMs = med((r) => r.workerRunMs) * row.runsPerStep;
  row.waitMs = med((r) => r.stats.waitMs / r.stats.iterations.total);
  row.limit = staticLimit(last.segments.reduce((a, b) => (b.runs > a.runs ? b : a)));
  console.error(`${name}, read every ${readEvery}: eager ${row.eager.toFixed(3)}, static ${row.static.toFixed(3)}, ` +
    `terra ${row.terra.toFixed(3)}, limit ${row.limit.toFixed(3)} ms/step`);
  return row;
}

async function main() {
  const rows = [];
  for (const [name, make] of Object.entries(MODELS)) {
    for (const readEvery of [1, 10]) rows.push(await measure(name, make, readEvery));
  }
  const f = (x) => x.toFixed(3);
  const lines = [
    '# Co-execution on static training loops',
    '',
    `Generated by \`node bench/coexec_training.js${opts.quick ? ' --quick' : ''}\` on ${new Date().toISOString().slice(0, 10)}, ` +
      `Node ${process.version}, ${os.cpus().length} cores. ms per training step over ${STEPS} steps after ${WARMUP} warm-up steps ` +
      `(co-execution traces and compiles in those); each figure is the median of ${ROUNDS} rounds, a round timing every mode ` +
      'in turn in the same process (this VM\'s speed drifts by up to 2x over seconds). The static limit: median of ' +
      `${REPEATS} runs of ${STEPS} segment runs.`,
    '',
    '- **terra eager**: every kernel dispatched on its own to ONNX Runtime (one cached single-kernel session per signature).',
    '- **static**: `--mode static`, the second step recorded and replayed by position (tf.function-style).',
    '- **terra**: co-execution: kernels validated against the TraceGraph, batched into one segment per step, run in the',
    '  GraphRunner worker while JS goes on.',
    '- **static limit**: the segment co-execution compiled for the step, run back to back by ORT alone on the main thread',
    '  (same model and session options; synthetic inputs of the same shapes).',
    '',
    '| model | loss read | terra eager | static | terra | static limit | terra vs eager | terra vs limit |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.name} | every ${r.readEvery === 1 ? 'step' : `${r.readEvery} steps`} | ${f(r.eager)} | ` +
      `${r.staticOk ? f(r.static) : 'did not replay'} | ${f(r.terra)} | ${f(r.limit)} | ${(r.eager / r.terra).toFixed(2)}x | ` +
      `${(r.limit / r.terra).toFixed(2)}x |`),
    '',
    'Compare within a row: rows run minutes apart on a VM whose speed drifts, so the same model\'s static limit can differ',
    'between its two rows. "JS issuing and validating" is the step time minus the time JS waited for values.',
    '',
    '## Where co-execution\'s time goes (per step)',
    '',
    '| model | loss read | kernels delegated | of them run ahead | segment runs | worker run time | JS waited | JS issuing and validating (rest) |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.name} | every ${r.readEvery === 1 ? 'step' : `${r.readEvery} steps`} | ${r.kernelsPerStep.toFixed(0)} | ` +
      `${(100 * r.runAheadShare).toFixed(0)}% | ${r.runsPerStep.toFixed(2)} | ${f(r.workerRunMs)} | ${f(r.waitMs)} | ${f(Math.max(0, r.terra - r.waitMs))} |`),
    '',
  ];
  const out = path.join(__dirname, 'results-coexec.md');
  fs.writeFileSync(out, lines.join('\n'));
  console.error(`wrote ${out}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
