/**
 * Everything `terra run` and the register entry do before the script's first line: the require hook and the
 * ESM loader that instrument user code, the @tensorflow/tfjs-node alias, source-mapped stack traces, the
 * backend for the mode, and the summaries at exit.
 */
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { addHook } from 'pirates';
import type { TerraConfig } from './config';
import { transformSource, wantsTransform } from './transform';
import { withoutSourceMapComment } from './dependency_source_maps';
import { CacheReport, cacheCoexecOptions, cacheLine } from './compile_cache';
import { progressCoexecOptions } from './compile_progress_bar';
import { dumpAtExit } from './dump/write_dump';
import { reportStaticLimitAtExit, staticLimitCoexecOptions } from './static_limit_report';
import { CheckCounters, checkCoexecOptions, checkSummary, exitCodeAfterCheck, exitNonZeroOnMismatch } from './check_mode';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const Module = require('module') as {
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
  register?(specifier: string, parentURL: string, options?: { data?: unknown }): void;
};

export const SHIM_PATH = path.join(__dirname, 'tfjs_node_shim.js');
const TFJS_NODE = new Set(['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']);
const NODE_MODULES = `${path.sep}node_modules${path.sep}`;

let installed = false;

/** The directories (real paths) of Terra's own packages. */
export function terraPackageDirs(): string[] {
  const dirs = [path.resolve(__dirname, '..')];
  for (const pkg of ['@terrajs/runtime', 'babel-plugin-terra']) {
    try {
      dirs.push(path.dirname(fs.realpathSync(require.resolve(`${pkg}/package.json`))));
    } catch {
      // not installed
    }
  }
  return dirs.map((d) => d + path.sep);
}

/**
 * The hooks that make programs run instrumented: CommonJS require hook, ESM loader, tfjs-node alias, source
 * maps (of the program's code: see dependency_source_maps.ts).
 */
export function installHooks(config: TerraConfig, root: string): void {
  if (installed) return;
  installed = true;
  process.setSourceMapsEnabled(true);

  const originalResolve = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, isMain, options) {
    if (TFJS_NODE.has(request)) return SHIM_PATH;
    return originalResolve.call(this, request, parent, isMain, options);
  };

  // Terra's own packages are never instrumented (the runtime's hook dispatch would report its own loops).
  const own = terraPackageDirs();
  addHook(
    (code, filename) => transformSource(code, filename, { root, instrument: config.instrument, target: 'commonjs' }),
    {
      exts: ['.js', '.cjs', '.ts', '.cts'],
      ignoreNodeModules: false,
      matcher: (filename) => !own.some((d) => filename.startsWith(d)) && wantsTransform(filename, config.instrument),
    },
  );

  addHook(withoutSourceMapComment, {
    exts: ['.js', '.cjs'],
    ignoreNodeModules: false,
    matcher: (filename) => filename.includes(NODE_MODULES) && !own.some((d) => filename.startsWith(d)) &&
      !wantsTransform(filename, config.instrument),
  });

  if (typeof Module.register === 'function') {
    Module.register(pathToFileURL(path.join(__dirname, 'esm_loader.js')).href, pathToFileURL(__filename).href, {
      data: { root, instrument: config.instrument, shimUrl: pathToFileURL(SHIM_PATH).href, exclude: own },
    });
  }
}

type KernelCounts = { ort: number; cpu: number; view: number };

/** The runtime's co-execution counters (see @terrajs/runtime's coexec/counters.ts). */
interface CoexecCounters {
  mode: string;
  iterations: { total: number; traced: number; coexecuted: number; diverged: number; discarded: number; rested: number; byCause: Record<string, number> };
  divergenceCount: number;
  divergences: Array<{ iteration: number; index: number; kernel: string; site: string; expected: string[]; differs?: string }>;
  joins: number;
  kernels: { delegated: number; kernelByKernel: number; replayed: number; whileCompiling: number; eager: number; breaks: number; threw: number; checkWaits: number };
  runAhead: { stretches: number; kernels: number; abandoned: number; recomputed: number };
  segments: { compiled: number; failed: number; runs: number; kernelPrograms: number; deferred: number; replays: number; general: number; sharedShapes: number };
  feeds: number;
  compileMs: number;
  waitMs: number;
  compile?: { generateMs: number; sessionMs: number };
  cache?: CacheReport;
  workerDied?: string;
  checkpoints?: number;
  graph?: { nodes: number; traces: number; branches: number };
  boundaryLoop?: string;
  check?: CheckCounters;
}

interface Runtime {
  stats(): { total: KernelCounts; byKernel: Record<string, KernelCounts> };
  coexecution: { start(options: object): void; stats(): CoexecCounters | undefined };
}

interface Selected {
  tf: typeof import('@tensorflow/tfjs');
  runtime?: Runtime;
}

/** Loads tfjs and the backend for the mode, and selects it. For wasm the promise must be awaited. */
export function selectBackend(config: TerraConfig): { selected: Selected; ready: Promise<void> } {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  const selected: Selected = { tf };
  let ready: Promise<unknown>;
  switch (config.mode) {
    case 'terra':
    case 'static':
    case 'eager': {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const runtime = require('@terrajs/runtime') as Runtime;
      selected.runtime = runtime;
      ready = tf.setBackend('terra'); // terra initializes synchronously: selected before this returns
      if (config.mode !== 'eager') {
        runtime.coexecution.start({
          mode: config.mode,
          executionProviders: [config.ep],
          stableAfter: config.stableAfter,
          segmentOptimization: config.segmentOptimization,
          ...cacheCoexecOptions(config),
          ...progressCoexecOptions(config.progress),
          ...staticLimitCoexecOptions(),
          ...checkCoexecOptions(config.check),
        });
      }
      break;
    }
    case 'cpu':
      ready = tf.setBackend('cpu');
      break;
    case 'wasm':
      require('@tensorflow/tfjs-backend-wasm');
      ready = tf.setBackend('wasm');
      break;
  }
  return {
    selected,
    ready: ready.then((ok) => {
      if (!ok) throw new Error(`terra: the ${config.mode} backend failed to initialize`);
    }),
  };
}

export interface StatsReport {
  mode: string;
  /** What actually ran: 'co-execution', 'static replay', 'eager' (terra backend), or a plain tfjs backend. */
  effectiveMode: string;
  backend: string;
  /** True when at least one iteration ran co-executed (or replayed, in static mode). */
  coexecution: boolean;
  note: string;
  exitCode: number;
  iterations: { total: number; traced: number; coexecuted: number; diverged: number; discarded: number; rested: number; byCause: Record<string, number> };
  /** `joins`: calls not predicted from the call before but known from another path, where co-execution went on. */
  divergences: { count: number; joins: number; first: CoexecCounters['divergences'] };
  kernels: {
    counted: boolean;
    /** Validated under co-execution and run inside compiled segments. */
    delegated: number;
    /** Validated, then run in the GraphRunner kernel by kernel while their segment was being compiled (its first occurrence). */
    kernelByKernel: number;
    /** Validated, then run eagerly because their segment could not be compiled. */
    replayed: number;
    /** Validated, then run on the host while their segment was being compiled. */
    whileCompiling: number;
    /** Graph breaks: predicted kernels run on the host between segments. */
    breaks: number;
    /** Kernels run ahead that threw on their values (the program got the error at its next use of a value from them). */
    threw: number;
    /** Calls whose indices, computed on the worker, JS waited for at the call, so that a bad one throws there. */
    checkWaits: number;
    byKernel: Record<string, KernelCounts>;
  } & KernelCounts;
  /** `runs` counts kernel programs' runs too (`kernelPrograms`: first occurrences run kernel by kernel). */
  segments: { compiled: number; failed: number; runs: number; kernelPrograms: number; deferred: number; replays: number; general: number; sharedShapes: number };
  /** Stretches dispatched before JS issued their kernels, kernels that claimed them, stretches left early. */
  runAhead: { stretches: number; kernels: number; abandoned: number; recomputed: number };
  timings: { compileMs: number; generateMs: number; sessionMs: number; waitMs: number; totalMs: number };
  /** The compiled-graph cache (docs/cache.md); absent when it is off or nothing was compiled through it. */
  cache?: CacheReport;
  /** Set if the GraphRunner worker died: its values were rebuilt on the host and the run went on eagerly. */
  workerDied?: string;
  /** With --check: values compared with the eager shadow, mismatches, the first one (docs/check.md). */
  check?: CheckCounters;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

function buildReport(config: TerraConfig, selected: Selected, startNs: bigint, exitCode: number): StatsReport {
  const totalMs = Number(process.hrtime.bigint() - startNs) / 1e6;
  const s = selected.runtime?.stats();
  const co = selected.runtime?.coexecution.stats();
  let backend = config.mode as string;
  try {
    backend = selected.tf.getBackend() ?? backend;
  } catch {
    // no backend
  }
  const coexecuted = (co?.iterations.coexecuted ?? 0) + (co?.iterations.diverged ?? 0) > 0;
  let effectiveMode: string = config.mode;
  let note: string;
  if (!selected.runtime) {
    note = `plain tfjs ${config.mode} backend: kernels are not counted and nothing is traced`;
  } else if (!co) {
    effectiveMode = 'eager';
    note = 'every kernel ran eagerly on the terra backend (ONNX Runtime or the cpu fallback); nothing was traced';
  } else {
    effectiveMode = config.mode === 'static' ? 'static replay' : 'co-execution';
    note = co.iterations.total === 0
      ? 'no iteration boundary was found (no optimizer step, no loop issuing kernels): the program ran eagerly while traced'
      : `${co.iterations.total} iterations (${describeCauses(co.iterations.byCause)})` +
        (coexecuted ? '' : '; co-execution never started (the program ended while the TraceGraph was still growing)');
  }
  return {
    mode: config.mode,
    effectiveMode,
    backend,
    coexecution: coexecuted,
    note,
    exitCode,
    iterations: co
      ? { ...co.iterations }
      : { total: 0, traced: 0, coexecuted: 0, diverged: 0, discarded: 0, rested: 0, byCause: {} },
    divergences: { count: co?.divergenceCount ?? 0, joins: co?.joins ?? 0, first: co?.divergences ?? [] },
    kernels: s
      ? {
        counted: true, ...s.total, delegated: co?.kernels.delegated ?? 0, kernelByKernel: co?.kernels.kernelByKernel ?? 0,
        replayed: co?.kernels.replayed ?? 0,
        whileCompiling: co?.kernels.whileCompiling ?? 0, breaks: co?.kernels.breaks ?? 0, threw: co?.kernels.threw ?? 0,
        checkWaits: co?.kernels.checkWaits ?? 0, byKernel: s.byKernel,
      }
      : { counted: false, ort: 0, cpu: 0, view: 0, delegated: 0, kernelByKernel: 0, replayed: 0, whileCompiling: 0, breaks: 0, threw: 0, checkWaits: 0, byKernel: {} },
    runAhead: co ? { ...co.runAhead } : { stretches: 0, kernels: 0, abandoned: 0, recomputed: 0 },
    segments: co ? { ...co.segments } : { compiled: 0, failed: 0, runs: 0, kernelPrograms: 0, deferred: 0, replays: 0, general: 0, sharedShapes: 0 },
    timings: {
      compileMs: round(co?.compileMs ?? 0), generateMs: round(co?.compile?.generateMs ?? 0), sessionMs: round(co?.compile?.sessionMs ?? 0),
      waitMs: round(co?.waitMs ?? 0), totalMs: round(totalMs),
    },
    ...(co?.cache ? { cache: co.cache } : {}),
    ...(co?.workerDied ? { workerDied: co.workerDied } : {}),
    ...(co?.check ? { check: co.check } : {}),
  };
}

function describeCauses(byCause: Record<string, number>): string {
  return Object.entries(byCause).map(([cause, n]) => `${n} ended by ${cause === 'loop' ? 'a loop iteration' : `an ${cause}`}`).join(', ');
}

function readableSummary(r: StatsReport): string {
  const lines = [`terra stats: mode ${r.mode} (ran ${r.effectiveMode} on backend ${r.backend}), ${r.timings.totalMs.toFixed(0)} ms, exit code ${r.exitCode}`];
  if (r.kernels.counted) {
    const eager = r.kernels.ort + r.kernels.cpu + r.kernels.view;
    lines.push(`  kernels: ${r.kernels.delegated} delegated to compiled segments` +
      `${r.kernels.kernelByKernel ? `, ${r.kernels.kernelByKernel} run kernel by kernel in the GraphRunner while their segment compiled` : ''}` +
      `; ${eager} run eagerly (${r.kernels.ort} on ONNX Runtime, ` +
      `${r.kernels.cpu} on the cpu fallback, ${r.kernels.view} views)${r.kernels.breaks ? `, of which ${r.kernels.breaks} graph breaks` : ''}` +
      `${r.kernels.replayed ? `, ${r.kernels.replayed} of them replayed because their segment could not compile` : ''}` +
      `${r.kernels.whileCompiling ? `, ${r.kernels.whileCompiling} of them run while their segment compiled` : ''}` +
      `${r.kernels.threw ? `; ${r.kernels.threw} run ahead threw on their values (the program got the error where it used a value from them)` : ''}` +
      `${r.kernels.checkWaits ? `; at ${r.kernels.checkWaits} calls JS waited for indices computed on the worker, to check them` : ''}`);
    const top = Object.entries(r.kernels.byKernel)
      .map(([k, v]) => [k, v.ort + v.cpu + v.view, v.cpu] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8);
    if (top.length) lines.push(`  most run eagerly: ${top.map(([k, n, cpu]) => `${k} ${n}${cpu ? ` (${cpu} cpu)` : ''}`).join(', ')}`);
  } else lines.push('  kernels: not counted on this backend');
  const it = r.iterations;
  lines.push(`  iterations: ${it.total} (${it.traced} traced, ${it.coexecuted} co-executed, ${it.diverged} diverged` +
    `${it.rested ? `, ${it.rested} run eagerly untraced while co-execution rested after many diverged in a row` : ''})`);
  const general = r.segments.general || r.segments.sharedShapes
    ? ` (${r.segments.general} shape-general, shared by ${r.segments.sharedShapes} batches in new shapes)` : '';
  lines.push(`  segments: ${r.segments.compiled} compiled${general} (${r.timings.compileMs.toFixed(1)} ms), ${r.segments.runs} runs` +
    `${r.segments.kernelPrograms ? ` (${r.segments.kernelPrograms} of them kernel by kernel` +
      `${r.segments.deferred ? `, ${r.segments.deferred} of them seen once, not compiled` : ''})` : ''}` +
    `${r.segments.failed ? `, ${r.segments.failed} could not compile (${r.segments.replays} eager replays)` : ''}; JS waited ${r.timings.waitMs.toFixed(1)} ms for values`);
  if (r.cache) lines.push(cacheLine(r.cache, r.timings));
  lines.push(`  run-ahead: ${r.runAhead.stretches} stretches dispatched before JS issued them, ${r.runAhead.kernels} kernels claimed, ` +
    `${r.runAhead.abandoned} left early`);
  lines.push(`  divergences: ${r.divergences.count}` +
    `${r.divergences.joins ? ` (and ${r.divergences.joins} calls another path's node took up: no divergence)` : ''}`);
  for (const d of r.divergences.first.slice(0, 5)) {
    lines.push(`    iteration ${d.iteration}, kernel ${d.index} (${d.kernel}) at ${d.site}; expected ${d.expected.join(' or ') || 'the end of the iteration'}` +
      `${d.differs ? ` (${d.differs})` : ''}`);
  }
  if (r.check) lines.push(checkSummary(r.check));
  if (r.workerDied) lines.push(`  the GraphRunner worker died (${r.workerDied}); its values were rebuilt on the host and the run went on eagerly`);
  lines.push(`  ${r.note}`);
  return lines.join('\n') + '\n';
}

/** Writes --stats, --stats-json and --dump output when the process exits, whatever the exit code. */
export function reportAtExit(config: TerraConfig, selected: Selected, startNs: bigint): void {
  reportStaticLimitAtExit(config.mode);
  if (config.dump) dumpAtExit(config.dump, config.mode, !!selected.runtime);
  if (config.check) exitNonZeroOnMismatch(() => selected.runtime?.coexecution.stats()?.check);
  if (!config.stats && !config.statsJson) return;
  process.on('exit', (code) => {
    const report = buildReport(config, selected, startNs, exitCodeAfterCheck(code, selected.runtime?.coexecution.stats()?.check));
    if (config.statsJson) {
      try {
        fs.mkdirSync(path.dirname(path.resolve(config.statsJson)), { recursive: true });
        fs.writeFileSync(config.statsJson, JSON.stringify(report, null, 2) + '\n');
      } catch (e) {
        process.stderr.write(`terra: cannot write --stats-json ${config.statsJson}: ${(e as Error).message}\n`);
      }
    }
    if (config.stats) process.stderr.write(readableSummary(report));
  });
}
