/**
 * Starting the worker from wherever this module runs:
 * - compiled (dist/graph_runner/*.js): worker.js sits next to this file; `new Worker(path)`.
 * - TypeScript sources (Jest transforms the tests and their imports in its own module system, which
 *   a worker thread does not inherit): worker.ts and the local modules it imports are bundled once
 *   per process with esbuild (a devDependency; npm packages stay external), and a small eval'd
 *   bootstrap compiles that bundle as if it were the module src/graph_runner/worker.ts, so its
 *   requires of npm packages resolve exactly as from the source file. Tests therefore always run the
 *   worker from the sources they test, never a stale dist, and spawning costs ~50 ms, not the
 *   ~600 ms a Babel require hook took in the worker.
 * - anywhere else (this module bundled into one file, as the conformance runner does): the caller
 *   passes `workerEntry`, or the installed package's dist worker is used.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';

// Plain JS run with `eval: true`. If loading the worker fails it raises the DEAD signal itself (the
// worker's own exit hook is not installed yet), so a blocked readSync wakes up (slots: see signal.ts).
const TS_BOOTSTRAP = `
const { workerData } = require('worker_threads');
const Module = require('module');
const { code, filename } = workerData.__tsBundle;
try {
  const m = new Module(filename, module);
  m.filename = filename;
  m.paths = Module._nodeModulePaths(require('path').dirname(filename));
  m._compile(code, filename);
} catch (e) {
  const signal = new Int32Array(workerData.signal);
  Atomics.store(signal, 1, 1); Atomics.add(signal, 0, 1); Atomics.notify(signal, 0);
  throw e;
}
`;

let tsBundle: { code: string; filename: string } | undefined;

function bundleWorkerSources(): { code: string; filename: string } {
  if (tsBundle) return tsBundle;
  const filename = path.join(__dirname, 'worker.ts');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const out = esbuild.buildSync({
    entryPoints: [filename], bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    packages: 'external', write: false, sourcemap: 'inline', logLevel: 'silent',
  });
  tsBundle = { code: out.outputFiles[0].text, filename };
  return tsBundle;
}

export function spawnWorker(workerData: object, transferList: Transferable[] | undefined, workerEntry?: string): Worker {
  // execArgv: [] so that the worker does not inherit the main thread's flags: under
  // `node -r @terrajs/cli/register` it would otherwise run the register entry (and start co-execution) itself.
  const options = { workerData, transferList: transferList as never, execArgv: [] };
  if (workerEntry) return new Worker(workerEntry, options);
  if (__filename.endsWith('.ts')) {
    const __tsBundle = bundleWorkerSources();
    return new Worker(TS_BOOTSTRAP, { ...options, eval: true, workerData: { ...workerData, __tsBundle } });
  }
  const beside = path.join(__dirname, 'worker.js');
  if (fs.existsSync(beside)) return new Worker(beside, options);
  return new Worker(require.resolve('@terrajs/runtime/dist/graph_runner/worker.js'), options);
}
