#!/usr/bin/env node
// Runs tfjs-core's own op and gradient test suite (shipped in its npm package) against a backend.
// The suite's files are bundled with esbuild, keeping the backends outside the bundle: tfjs-core
// holds its engine and kernel registry in a global, so the bundled suite sees them.
//
// usage: node run.js [--backend terra|cpu] [--grep <regex>] [--verbose] [--json <file>] [--min-ort-share 0.9] [--coexec]
//
// --coexec: every spec runs three times under co-execution, its ops traced twice then co-executed as
// compiled segments in the GraphRunner: the suite's expectations then check segment generation.
const path = require('path');
const fs = require('fs');
const { parseArgs } = require('util');
const esbuild = require('esbuild');
const Jasmine = require('jasmine');

const { values: opts } = parseArgs({
  options: {
    backend: { type: 'string', default: 'terra' },
    grep: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    json: { type: 'string' },
    'min-ort-share': { type: 'string', default: '0' },
    coexec: { type: 'boolean', default: false },
  },
});
if (!['terra', 'cpu'].includes(opts.backend)) {
  console.error(`conformance: unknown backend '${opts.backend}' (terra or cpu)`);
  process.exit(2);
}

const root = path.resolve(__dirname, '../../../..');
const coreDist = path.dirname(require.resolve('@tensorflow/tfjs-core/dist/index.js', { paths: [root] }));
const outDir = path.join(root, 'node_modules', '.cache', 'terra-conformance');
fs.mkdirSync(outDir, { recursive: true });

const suiteFiles = [
  ...fs.readdirSync(path.join(coreDist, 'ops')).filter((f) => f.endsWith('_test.js')).sort()
    .map((f) => path.join(coreDist, 'ops', f)),
  path.join(coreDist, 'gradients_test.js'),
];

const entry = [
  `require(${JSON.stringify(path.join(__dirname, 'setup_env.js'))});`,
  `require(${JSON.stringify(path.join(coreDist, 'register_all_gradients.js'))});`,
  `require(${JSON.stringify(path.join(coreDist, 'public/chained_ops/register_all_chained_ops.js'))});`,
  ...suiteFiles.map((f) => `require(${JSON.stringify(f)});`),
].join('\n');
const entryFile = path.join(outDir, 'entry.js');
fs.writeFileSync(entryFile, entry);
const bundle = path.join(outDir, 'suite.js');
esbuild.buildSync({
  entryPoints: [entryFile],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: bundle,
  ignoreAnnotations: true,
  logLevel: 'error',
  // Backends and native code are required normally; only the suite and its tfjs-core copy are bundled.
  external: ['@tensorflow/tfjs-backend-cpu', '@terrajs/runtime', 'onnxruntime-node', 'jasmine-core'],
});

process.env.TERRA_CONFORMANCE_BACKEND = opts.backend;
// The runtime is built from source here, so the suite always checks the working tree.
const runtimeBundle = path.join(outDir, 'runtime.js');
esbuild.buildSync({
  entryPoints: [path.join(__dirname, '../../src/index.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: runtimeBundle,
  logLevel: 'error',
  packages: 'external',
});
const runtime = opts.backend === 'terra' ? require(runtimeBundle) : null;

const jasmine = new Jasmine({ projectBaseDir: outDir });
const coexecTotals = { specs: 0, coexecuted: 0, delegated: 0, segments: 0, divergences: 0, recovered: [] };
if (opts.coexec) {
  if (!runtime) {
    console.error('conformance: --coexec needs --backend terra');
    process.exit(2);
  }
  const { coexecution } = runtime;
  const { disposeVariables, engine } = require('@tensorflow/tfjs-core');
  const originalIt = global.it;
  // Specs written with a done callback run once, as they are.
  global.it = function (name, fn, timeout) {
    if (typeof fn !== 'function' || fn.length > 0) return originalIt.call(this, name, fn, timeout);
    return originalIt.call(this, name, async function () {
      // Specs of pure helpers (shape arithmetic, conv_util, ...) select no backend.
      if (engine().backendName !== 'terra') return fn.call(this);
      coexecution.start({ stableAfter: 1, maxTracedIterations: 2, firstOccurrence: 'wait' });
      // Recovery from a failed run is said on stderr (it may happen as late as stop()).
      const write = process.stderr.write;
      let recovered = false;
      process.stderr.write = function (chunk, ...rest) {
        if (String(chunk).includes('segment failed in ONNX Runtime')) recovered = true;
        return write.call(this, chunk, ...rest);
      };
      try {
        for (let run = 0; run < 3; run++) {
          if (run > 0) disposeVariables();
          await fn.call(this);
          coexecution.markIteration();
        }
      } finally {
        const s = coexecution.stats();
        coexecTotals.specs++;
        coexecTotals.coexecuted += s.iterations.coexecuted;
        coexecTotals.delegated += s.kernels.delegated;
        coexecTotals.segments += s.segments.compiled;
        coexecTotals.divergences += s.divergenceCount;
        await coexecution.stop();
        process.stderr.write = write;
        if (recovered) coexecTotals.recovered.push(name);
      }
    }, timeout);
  };
}
jasmine.exitOnCompletion = false;
jasmine.loadConfig({ spec_files: [bundle], random: false });
// Specs terra cannot pass, each with its reason; every entry counts against the backend.
const exclusions = JSON.parse(fs.readFileSync(path.join(__dirname, 'exclusions.json'), 'utf8'));
const excluded = new Map(exclusions.map((e) => [e.spec, e.reason]));
const grep = opts.grep ? new RegExp(opts.grep) : null;
jasmine.env.configure({
  random: false,
  specFilter: (spec) => {
    const name = spec.getFullName();
    return (!grep || grep.test(name)) && !(opts.backend === 'terra' && excluded.has(name));
  },
});
jasmine.clearReporters();
const failures = [];
let passed = 0;
let failed = 0;
let skipped = 0;
jasmine.addReporter({
  specDone(r) {
    if (r.status === 'passed') passed++;
    else if (r.status === 'failed') {
      failed++;
      failures.push({ name: r.fullName, message: r.failedExpectations.map((e) => e.message).join('; ') });
      if (opts.verbose) console.log(`FAIL ${r.fullName}\n  ${failures[failures.length - 1].message.slice(0, 500)}`);
    } else skipped++;
  },
});

const started = Date.now();
jasmine.execute().then(() => {
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const lines = [];
  if (!opts.verbose) for (const f of failures) lines.push(`FAIL ${f.name}\n  ${f.message.slice(0, 300)}`);
  let dispatch = null;
  if (runtime) {
    const s = runtime.stats();
    const computing = s.total.ort + s.total.cpu;
    const total = computing + s.total.view;
    dispatch = {
      ort: s.total.ort, cpu: s.total.cpu, view: s.total.view,
      ortShare: computing ? s.total.ort / computing : 0, byKernel: s.byKernel,
    };
    const cpuKernels = Object.entries(s.byKernel).filter(([, v]) => v.cpu > 0)
      .sort((a, b) => b[1].cpu - a[1].cpu).map(([k, v]) => `${k}:${v.cpu}`);
    lines.push(`kernel dispatches: ${total}; ${s.total.view} views (Identity: the input's buffer, no computation); ` +
      `of the ${computing} that compute, ${s.total.ort} on ORT (${(100 * dispatch.ortShare).toFixed(1)}%), ` +
      `${s.total.cpu} on the cpu fallback; ORT share of all dispatches ${(100 * s.total.ort / total).toFixed(1)}%`);
    lines.push(`cpu fallback by kernel: ${cpuKernels.join(' ')}`);
  }
  if (opts.coexec) {
    const t = coexecTotals;
    lines.push(`co-execution: ${t.specs} specs run three times; ${t.coexecuted} third runs co-executed, ${t.delegated} kernels ` +
      `delegated to ${t.segments} compiled segments, ${t.divergences} divergences; ${t.recovered.length} specs had a run fail ` +
      'in ONNX Runtime and recomputed eagerly (invalid inputs the spec expects an error for, or a lowering gap)');
    if (opts.verbose) for (const n of t.recovered) lines.push(`  recovered: ${n}`);
  }
  lines.push(`tfjs-core ${require('@tensorflow/tfjs-core/package.json').version} suite on ${opts.backend} in ${seconds}s`);
  if (opts.backend === 'terra' && excluded.size) {
    lines.push(`excluded (see test/conformance/exclusions.json): ${excluded.size}`);
    for (const [spec, reason] of excluded) lines.push(`  ${spec}: ${reason}`);
  }
  lines.push(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
  console.log(lines.join('\n'));
  if (opts.json) {
    fs.writeFileSync(opts.json, JSON.stringify({ backend: opts.backend, passed, failed, skipped, failures, dispatch }, null, 2));
  }
  const minShare = Number(opts['min-ort-share']);
  const shareTooLow = dispatch !== null && dispatch.ortShare < minShare;
  if (shareTooLow) console.log(`ORT share ${(100 * dispatch.ortShare).toFixed(1)}% is below the required ${100 * minShare}%`);
  process.exitCode = failed > 0 || passed === 0 || shareTooLow ? 1 : 0;
});
