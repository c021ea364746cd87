/**
 * TERRA_STATIC_LIMIT=<file>: a facility for the benchmark (bench/fixtures.js), documented in
 * docs/static-limit.md. Co-execution records the segment runs of one co-executed iteration, and at exit
 * they are timed back to back on ONNX Runtime on the main thread; the result is written to <file> as
 * JSON ({ error } when there is nothing to time).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Mode } from './config';

/** The co-executed iteration recorded is the latest whole one among the first PROFILED (see IterationProfile). */
const PROFILED = 3;

function requestedFile(): string | undefined {
  return process.env.TERRA_STATIC_LIMIT || undefined;
}

/** Options for coexecution.start when the static limit is asked for. */
export function staticLimitCoexecOptions(): { profileIteration?: number } {
  return requestedFile() ? { profileIteration: PROFILED } : {};
}

/** Writes the static limit to the requested file when the process exits, whatever the exit code. */
export function reportStaticLimitAtExit(mode: Mode): void {
  const file = requestedFile();
  if (!file) return;
  process.on('exit', () => {
    let result: unknown;
    if (mode !== 'terra' && mode !== 'static') {
      result = { error: `the static limit needs co-execution (--mode terra or static), not --mode ${mode}` };
    } else {
      try {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const { coexecution } = require('@terrajs/runtime') as typeof import('@terrajs/runtime');
        result = coexecution.staticLimit();
      } catch (e) {
        result = { error: `the static limit could not be measured: ${(e as Error).message}` };
      }
    }
    try {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
    } catch (e) {
      process.stderr.write(`terra: cannot write TERRA_STATIC_LIMIT ${file}: ${(e as Error).message}\n`);
    }
  });
}
