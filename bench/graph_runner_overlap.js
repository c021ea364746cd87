#!/usr/bin/env node
// Co-execution's basic gain, measured with the GraphRunner API (DESIGN.md: "with a 1.7 ms graph and
// 1.7 ms of JS per iteration, serial execution cost 3.1 ms per iteration and worker overlap 2.0 ms").
// Each iteration: JS generates the next input batch and does other JS work (about as long as the
// graph), the graph (an MLP ending in a scalar mean) runs on the batch, and JS reads the scalar.
//   serial:  SyncSession.run on the main thread, then the JS work, then the read (nothing overlaps);
//   overlap: feed + run are posted to the GraphRunner, the JS work runs meanwhile, readSync waits.
// Both compute the same values (checked). Rounds alternate serial/overlap; medians are reported.
// Usage: node bench/graph_runner_overlap.js [--rounds N] [--iters N]   (needs `npm run build`)
const fs = require('fs');
const os = require('os');
const path = require('path');
const dist = path.join(__dirname, '../packages/runtime/dist');
const { GraphRunner, defaultIntraOpThreads, defaultSpinning } = require(path.join(dist, 'graph_runner'));
const { GraphBuilder } = require(path.join(dist, 'onnx/graph_builder'));
const { SyncSession, OrtTensorClass } = require(path.join(dist, 'ort/sync_session'));

const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const ROUNDS = arg('rounds', 7);
const ITERS = arg('iters', 300);
const TARGET_MS = 1.7;
const BATCH = 32;
const WIDTH = 256;

function rng(seed) { let s = seed >>> 0; return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296); }

function model(layers) {
  const g = new GraphBuilder('overlap');
  let h = g.input('float32', 2, [BATCH, WIDTH]);
  const r = rng(42);
  for (let l = 0; l < layers; l++) {
    const w = g.constant('float32', Array.from({ length: WIDTH * WIDTH }, () => (r() - 0.5) / 8), [WIDTH, WIDTH]);
    const b = g.constant('float32', Array.from({ length: WIDTH }, () => r() - 0.5), [WIDTH]);
    const mm = g.op('MatMul', [h, w], {}, { dtype: 'float32', rank: 2 });
    h = g.op('Tanh', [g.op('Add', [mm, b], {}, { dtype: 'float32', rank: 2 })], {}, { dtype: 'float32', rank: 2 });
  }
  g.output(g.op('ReduceMean', [h], { keepdims: 0 }, { dtype: 'float32', rank: 0 }));
  return g.build();
}

// The JS side of an iteration: make the next batch (a PRNG, as tfjs random ops do in JS) and some
// bookkeeping over plain objects, `reps` times. Returns a checksum so nothing is optimized away.
function jsWork(rand, batch, reps) {
  for (let i = 0; i < batch.length; i++) batch[i] = rand() * 2 - 1;
  let acc = 0;
  for (let k = 0; k < reps; k++) {
    const o = { k, v: Math.sin(k) };
    acc += o.v * o.k % 7;
  }
  return acc;
}

const now = () => performance.now();
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

function timeGraph(session, x, n) {
  const t = new OrtTensorClass('float32', x, [BATCH, WIDTH]);
  session.run([t]);
  const t0 = now();
  for (let i = 0; i < n; i++) session.run([t]);
  return (now() - t0) / n;
}

function sessionOptions(cfg) {
  // `extra` is passed through to ORT's session config entries (session.intra_op.allow_spinning).
  const o = { graphOptimizationLevel: 'all', intraOpNumThreads: cfg.threads, interOpNumThreads: 1 };
  return cfg.spin ? o : { ...o, extra: { session: { intra_op: { allow_spinning: '0' } } } };
}

function graphMs(cfg, layers) {
  const x = new Float32Array(BATCH * WIDTH).fill(0.1);
  const s = new SyncSession(model(layers), sessionOptions(cfg));
  // The minimum of several batches: the estimate least disturbed by other load on the machine.
  const ms = Math.min(...Array.from({ length: 7 }, () => timeGraph(s, x, 30)));
  s.dispose();
  return ms;
}

// Graph: the layer count for ~TARGET_MS, from a straight line through two measured sizes.
// JS: the repetitions for the graph's measured duration.
function calibrate(cfg) {
  const a = graphMs(cfg, 4);
  const b = graphMs(cfg, 20);
  const perLayer = (b - a) / 16;
  const layers = Math.max(1, Math.round(4 + (TARGET_MS - a) / perLayer));
  const ms = graphMs(cfg, layers);
  let reps = 1000;
  const rand = rng(1);
  const batch = new Float32Array(BATCH * WIDTH);
  for (let tries = 0; ; tries++) {
    const times = [];
    for (let i = 0; i < 60; i++) { const t0 = now(); jsWork(rand, batch, reps); times.push(now() - t0); }
    const jms = Math.min(...times);
    if (Math.abs(jms - ms) / ms < 0.05 || tries > 20) return { layers, graphMs: ms, reps, jsMs: jms };
    reps = Math.max(100, Math.round(reps * ms / jms));
  }
}

function serialRound(session, reps, iters) {
  const rand = rng(7);
  const batch = new Float32Array(BATCH * WIDTH);
  jsWork(rand, batch, reps);
  let sum = 0;
  const t0 = now();
  for (let i = 0; i < iters; i++) {
    const [loss] = session.run([new OrtTensorClass('float32', batch, [BATCH, WIDTH])]);
    const next = new Float32Array(BATCH * WIDTH);
    jsWork(rand, next, reps);
    sum += loss.data[0];
    batch.set(next);
  }
  return { ms: (now() - t0) / iters, sum };
}

function overlapRound(runner, reps, iters) {
  const rand = rng(7);
  let batch = new Float32Array(BATCH * WIDTH);
  jsWork(rand, batch, reps);
  let sum = 0;
  const t0 = now();
  for (let i = 0; i < iters; i++) {
    const x = runner.newId();
    const loss = runner.newId();
    // The batch is not used by JS after this: transfer it instead of copying.
    runner.feed(x, 'float32', [BATCH, WIDTH], batch, { transfer: true });
    runner.run('mlp', [x], [loss]);
    runner.dispose(x);
    batch = new Float32Array(BATCH * WIDTH);
    jsWork(rand, batch, reps); // overlaps with the graph
    sum += runner.readSync(loss).data[0];
    runner.dispose(loss);
  }
  return { ms: (now() - t0) / iters, sum };
}

function measure(cfg, cal) {
  const bytes = model(cal.layers);
  const session = new SyncSession(bytes, sessionOptions(cfg));
  const runner = new GraphRunner({ intraOpNumThreads: cfg.threads, spinning: cfg.spin });
  runner.compile('mlp', bytes);
  serialRound(session, cal.reps, 30);
  overlapRound(runner, cal.reps, 30);
  const serial = [];
  const overlap = [];
  const graphAlone = [];
  const jsAlone = [];
  const x = new Float32Array(BATCH * WIDTH).fill(0.1);
  const rand = rng(3);
  const scratch = new Float32Array(BATCH * WIDTH);
  for (let r = 0; r < ROUNDS; r++) {
    // Each round also times its parts alone, under the same conditions as its serial/overlap runs.
    graphAlone.push(timeGraph(session, x, Math.ceil(ITERS / 3)));
    const j0 = now();
    for (let i = 0; i < Math.ceil(ITERS / 3); i++) jsWork(rand, scratch, cal.reps);
    jsAlone.push((now() - j0) / Math.ceil(ITERS / 3));
    const s = serialRound(session, cal.reps, ITERS);
    const o = overlapRound(runner, cal.reps, ITERS);
    if (Math.abs(s.sum - o.sum) > 1e-3 * Math.max(1, Math.abs(s.sum))) throw new Error(`results differ: ${s.sum} vs ${o.sum}`);
    serial.push(s.ms);
    overlap.push(o.ms);
  }
  const st = runner.stats();
  const graphInWorker = st.runMs / st.runs;
  session.dispose();
  void runner.terminate();
  return { ...cfg, ...cal, graphMs: median(graphAlone), jsMs: median(jsAlone), serialMin: Math.min(...serial), overlapMin: Math.min(...overlap), serial: median(serial), overlap: median(overlap), serialAll: serial, overlapAll: overlap, graphInWorker, values: st.values };
}

async function main() {
  const cores = os.availableParallelism();
  // One workload for every configuration, and JS work of the same duration as the graph.
  const configs = [{ threads: cores, spin: true }, { threads: cores, spin: false }];
  if (cores > 1) configs.push({ threads: cores - 1, spin: true }, { threads: cores - 1, spin: false });
  for (const c of configs) {
    c.label = `${c.threads}, ${c.spin ? 'spinning' : 'no spinning'}` +
      (c.threads === cores && c.spin ? " (ORT's default)" : '') +
      (c.threads === defaultIntraOpThreads() && c.spin === defaultSpinning() ? ' (**GraphRunner default**)' : '');
  }
  // Sized on one thread, the GraphRunner's default here, so the overlapped graph is ~TARGET_MS.
  const cal = calibrate({ threads: 1, spin: false });
  const results = configs.map((cfg) => measure(cfg, cal));
  const f = (x) => x.toFixed(2);
  const lines = [
    '# GraphRunner overlap (co-execution\'s basic gain)',
    '',
    `Generated by \`node bench/graph_runner_overlap.js --rounds ${ROUNDS} --iters ${ITERS}\` on ${new Date().toISOString().slice(0, 10)}, ` +
      `node ${process.version}, ${cores} CPUs (${os.cpus()[0].model.trim()}), load average ${os.loadavg()[0].toFixed(1)} at the end.`,
    '',
    `Each iteration: an MLP segment (batch ${BATCH}, width ${WIDTH}, MatMul+Add+Tanh layers, then a scalar ReduceMean) on a batch JS`,
    'generated in the previous iteration, plus JS work of about the graph\'s duration (the next batch from a JS PRNG, object',
    'bookkeeping), and a read of the scalar. **serial**: SyncSession.run on the main thread, then the JS work.',
    '**overlap**: `feed` (transferred) + `run` posted to the GraphRunner, the JS work meanwhile, then `readSync`.',
    'Both sums of the read values agree. Medians over rounds (serial and overlap rounds alternate), ms per iteration.',
    `The same workload in every row: ${cal.layers} layers, sized for about ${TARGET_MS} ms on one ORT thread; JS work sized to match.`,
    'graph alone and JS alone are timed in every round too (medians shown), so each row\'s parts are measured under the same load as its totals.',
    'This machine is shared with other jobs: rounds vary; "best rounds" are the least disturbed.',
    '',
    '| ORT intra-op threads | graph alone (main thread) | graph in worker (runMs/run) | JS work alone | serial | overlap | ideal max(graph, JS) | speedup (medians) | serial / overlap, best rounds |',
    '|---|---|---|---|---|---|---|---|---|',
    ...results.map((r) => `| ${r.label} | ${f(r.graphMs)} | ${f(r.graphInWorker)} | ${f(r.jsMs)} | ${f(r.serial)} | ${f(r.overlap)} | ${f(Math.max(r.graphMs, r.jsMs))} | ${(r.serial / r.overlap).toFixed(2)}x | ${f(r.serialMin)} / ${f(r.overlapMin)} |`),
    '',
    'Per-round values (ms/iteration):',
    '',
    ...results.map((r) => `- ${r.label}: serial ${r.serialAll.map(f).join(', ')}; overlap ${r.overlapAll.map(f).join(', ')}`),
    '',
    `Values held by the worker after all rounds: ${results.map((r) => r.values).join(', ')} (every fed and produced value was disposed).`,
    '',
  ];
  const out = path.join(__dirname, 'results-graph-runner.md');
  fs.writeFileSync(out, lines.join('\n'));
  console.log(lines.join('\n'));
}

main().catch((e) => { console.error(e); process.exit(1); });
