/**
 * `--check` / TERRA_CHECK=1 (docs/check.md): co-execution shadows every co-executed iteration eagerly and
 * compares; the runtime reports the first mismatch on stderr as it happens, and the run, once the program
 * has ended with all its output, exits with CHECK_MISMATCH_EXIT.
 */
import { ConfigError, Mode } from './config';

/** The exit code of a run whose program exited 0 but whose check found a mismatch. */
export const CHECK_MISMATCH_EXIT = 3;

/** What the runtime counts under --check (coexecution.stats().check). */
export interface CheckCounters {
  values: number;
  mismatches: number;
  kernels: number;
  unknown: number;
  first?: { iteration: number; what: string; kernel: string; site: string; maxAbs: number; maxRel: number };
}

/** --check needs something to check: co-execution. */
export function validateCheck(check: boolean, mode: Mode, option: string): void {
  if (check && mode !== 'terra' && mode !== 'static') {
    throw new ConfigError(`${option} needs co-execution (mode terra or static), not mode ${mode}`);
  }
}

/** Options for coexecution.start. */
export function checkCoexecOptions(check: boolean | undefined): { check?: true } {
  return check ? { check: true } : {};
}

/** The run's exit code: the program's own, unless it is 0 and the check found a mismatch. */
export function exitCodeAfterCheck(code: number, check: CheckCounters | undefined): number {
  return code === 0 && (check?.mismatches ?? 0) > 0 ? CHECK_MISMATCH_EXIT : code;
}

/** Sets the exit code at exit (exit listeners may still change it) when the check found a mismatch. */
export function exitNonZeroOnMismatch(check: () => CheckCounters | undefined): void {
  process.on('exit', (code) => {
    const final = exitCodeAfterCheck(code, check());
    if (final !== code) process.exitCode = final;
  });
}

/** The --stats line. */
export function checkSummary(c: CheckCounters): string {
  return `  check: ${c.values} values compared with the eager shadow (${c.kernels} kernels shadowed` +
    `${c.unknown ? `, ${c.unknown} not computable` : ''}), ${c.mismatches} mismatched` +
    (c.first ? `; first in iteration ${c.first.iteration}: ${c.first.what}, kernel ${c.first.kernel} at ${c.first.site}` : '');
}
