/**
 * Compares what two runs of the same program printed (eager against co-executed, a baseline backend
 * against terra eager): line by line, token by token, numbers within float tolerance. Used by the CLI's
 * differential tests and by the fixture benchmark (bench/fixtures.js).
 */

export interface Tolerance {
  /** Relative difference allowed between two numbers (default 1e-3). */
  rel: number;
  /** Absolute difference allowed (default 1e-4): losses near zero differ in their last digits. */
  abs: number;
}

export const DEFAULT_TOLERANCE: Tolerance = { rel: 1e-3, abs: 1e-4 };

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** Whether two tokens agree: equal text, or two numbers within tolerance (NaN agrees with NaN). */
export function sameToken(a: string, b: string, tol: Tolerance = DEFAULT_TOLERANCE): boolean {
  if (a === b) return true;
  if (!NUMBER.test(a) || !NUMBER.test(b)) return false;
  const x = Number(a);
  const y = Number(b);
  const diff = Math.abs(x - y);
  return diff <= tol.abs || diff <= tol.rel * Math.max(Math.abs(x), Math.abs(y));
}

/** Whether two printed lines agree token by token. */
export function sameLine(a: string, b: string, tol: Tolerance = DEFAULT_TOLERANCE): boolean {
  const ta = a.trim().split(/[\s,]+/);
  const tb = b.trim().split(/[\s,]+/);
  return ta.length === tb.length && ta.every((t, j) => sameToken(t, tb[j], tol));
}

/**
 * The differences between two outputs, readable (empty when they agree): the line count, then each
 * line that differs (up to `max`), with both versions.
 */
export function compareOutputs(expected: string, actual: string, names: [string, string] = ['eager', 'terra'],
  tol: Tolerance = DEFAULT_TOLERANCE, max = 10): string[] {
  const a = expected.replace(/\n$/, '').split('\n');
  const b = actual.replace(/\n$/, '').split('\n');
  const problems: string[] = [];
  if (a.length !== b.length) problems.push(`line count: ${names[0]} ${a.length}, ${names[1]} ${b.length}`);
  for (let i = 0; i < Math.min(a.length, b.length) && problems.length < max; i++) {
    if (!sameLine(a[i], b[i], tol)) {
      problems.push(`line ${i + 1}:\n    ${names[0]}: ${a[i]}\n    ${names[1]}: ${b[i]}`);
    }
  }
  return problems;
}
