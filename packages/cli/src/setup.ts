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

// eslint-disable-next-line @typescript-eslint/no-var-requires
const Module = require('module') as {
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
  register?(specifier: string, parentURL: string, options?: { data?: unknown }): void;
};

export const SHIM_PATH = path.join(__dirname, 'tfjs_node_shim.js');
const TFJS_NODE = new Set(['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']);

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

/** The hooks that make programs run instrumented: CommonJS require hook, ESM loader, tfjs-node alias, source maps. */
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

  if (typeof Module.register === 'function') {
    Module.register(pathToFileURL(path.join(__dirname, 'esm_loader.js')).href, pathToFileURL(__filename).href, {
      data: { root, instrument: config.instrument, shimUrl: pathToFileURL(SHIM_PATH).href, exclude: own },
    });
  }
}

type KernelCounts = { ort: number; cpu: number; view: number };

interface RuntimeStats {
  total: KernelCounts;
  byKernel: Record<string, KernelCounts>;
}

interface Selected {
  tf: typeof import('@tensorflow/tfjs');
  runtime?: { stats(): RuntimeStats; cachedSessions?(): number };
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
    case 'eager':
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      selected.runtime = require('@terrajs/runtime');
      ready = tf.setBackend('terra'); // terra initializes synchronously: selected before this returns
      if (config.mode !== 'eager') {
        process.stderr.write(`terra: --mode ${config.mode}: co-execution is not implemented yet; running eagerly on the terra backend (every kernel on ONNX Runtime or the cpu fallback)\n`);
      }
      break;
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
  effectiveMode: string;
  backend: string;
  coexecution: boolean;
  note: string;
  exitCode: number;
  iterations: { traced: number; coexecuted: number };
  divergences: unknown[];
  kernels: { counted: boolean; byKernel: Record<string, KernelCounts> } & KernelCounts;
  segments: { compiled: number; cached: number };
  timings: { compileMs: number; waitMs: number; totalMs: number };
}

function buildReport(config: TerraConfig, selected: Selected, startNs: bigint, exitCode: number): StatsReport {
  const totalMs = Number(process.hrtime.bigint() - startNs) / 1e6;
  const onTerra = selected.runtime !== undefined;
  const s = selected.runtime?.stats();
  let backend = config.mode as string;
  try {
    backend = selected.tf.getBackend() ?? backend;
  } catch {
    // no backend
  }
  return {
    mode: config.mode,
    effectiveMode: onTerra ? 'eager' : config.mode,
    backend,
    coexecution: false,
    note: onTerra
      ? 'co-execution is not implemented yet: every kernel ran eagerly on the terra backend (ONNX Runtime or the cpu fallback); nothing was traced or compiled'
      : `plain tfjs ${config.mode} backend: kernels are not counted and nothing is traced`,
    exitCode,
    iterations: { traced: 0, coexecuted: 0 },
    divergences: [],
    kernels: s
      ? { counted: true, ...s.total, byKernel: s.byKernel }
      : { counted: false, ort: 0, cpu: 0, view: 0, byKernel: {} },
    segments: { compiled: 0, cached: 0 },
    timings: { compileMs: 0, waitMs: 0, totalMs: Math.round(totalMs * 1000) / 1000 },
  };
}

function readableSummary(r: StatsReport): string {
  const lines = [`terra stats: mode ${r.mode} (ran ${r.effectiveMode} on backend ${r.backend}), ${r.timings.totalMs.toFixed(0)} ms, exit code ${r.exitCode}`];
  if (r.kernels.counted) {
    const total = r.kernels.ort + r.kernels.cpu + r.kernels.view;
    lines.push(`  kernels: ${total} dispatched, ${r.kernels.ort} on ONNX Runtime, ${r.kernels.cpu} on the cpu fallback, ` +
      `${r.kernels.view} views (Identity shares its input's buffer)`);
    const top = Object.entries(r.kernels.byKernel)
      .map(([k, v]) => [k, v.ort + v.cpu + v.view, v.cpu] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8);
    if (top.length) lines.push(`  most dispatched: ${top.map(([k, n, cpu]) => `${k} ${n}${cpu ? ` (${cpu} cpu)` : ''}`).join(', ')}`);
  } else lines.push('  kernels: not counted on this backend');
  lines.push(`  iterations traced ${r.iterations.traced}, co-executed ${r.iterations.coexecuted}; segments compiled ${r.segments.compiled}; divergences ${r.divergences.length}`);
  lines.push(`  ${r.note}`);
  return lines.join('\n') + '\n';
}

/** Writes --stats, --stats-json and --dump output when the process exits, whatever the exit code. */
export function reportAtExit(config: TerraConfig, selected: Selected, startNs: bigint): void {
  if (config.dump) {
    fs.mkdirSync(config.dump, { recursive: true });
    fs.writeFileSync(
      path.join(config.dump, 'README.txt'),
      'terra --dump: no segments were compiled in this run (co-execution is not implemented yet), so there are no graph dumps.\n',
    );
  }
  if (!config.stats && !config.statsJson) return;
  process.on('exit', (code) => {
    const report = buildReport(config, selected, startNs, code);
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
