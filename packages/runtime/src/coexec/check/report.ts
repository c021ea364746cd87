import type { Tolerance } from './compare';
import type { CheckMismatch } from './options';

const num = (x: number): string => (Number.isFinite(x) ? x.toPrecision(6) : String(x));

/** The lines --check prints on stderr for the first mismatch. */
export function describeMismatch(m: CheckMismatch, tol: Tolerance): string {
  const value = `${m.dtype} [${m.shape.join(', ')}]`;
  const magnitude = m.kind === 'size'
    ? `it has ${m.actualSize} elements, eager execution gives ${m.expectedSize}`
    : `max abs diff ${num(m.maxAbs)} at index ${m.element} (co-executed ${num(m.actual)}, eager ${num(m.expected)}), max rel diff ${num(m.maxRel)}`;
  const allowed = m.dtype === 'float32' ? `|co-executed - eager| <= ${tol.atol} + ${tol.rtol} * |eager|` : 'exact equality';
  const origin = m.index < 0 ? 'a value from before the iteration' : `produced by kernel ${m.kernel} (#${m.index} of the iteration) at ${m.site}`;
  return `terra: --check: mismatch in iteration ${m.iteration}: ${m.what} (${value}), ${origin}, ` +
    `differs from eager execution: ${magnitude}; allowed: ${allowed}\n` +
    (m.cause ? `terra: --check: an earlier value of the iteration differs too: produced by kernel ${m.cause.kernel} (#${m.cause.index}) ` +
      `at ${m.cause.site}, max abs diff ${num(m.cause.maxAbs)} at index ${m.cause.element}\n` : '') +
    'terra: --check: further mismatches are counted (--stats), not reported; terra run will exit with code 3 (docs/check.md)\n';
}
