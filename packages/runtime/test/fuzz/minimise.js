'use strict';
/**
 * Shrinks a program on which eager and co-executed runs disagree: deletes statements (and block
 * contents) one at a time, keeping each deletion after which the runs still disagree, then lowers
 * the iteration count. Statements whose inputs were deleted are skipped (the runner's lenient mode).
 */
const { differentialProgram } = require('./program_runner');

/** Every array of statements in the program, outermost first. */
function blocks(stmts, out = []) {
  out.push(stmts);
  for (const s of stmts) {
    for (const key of ['then', 'else', 'body']) if (Array.isArray(s[key])) blocks(s[key], out);
  }
  return out;
}

async function minimiseProgram(tf, coexecution, spec, { budget = 150 } = {}) {
  let best = structuredClone(spec);
  let problems = (await differentialProgram(tf, coexecution, best, { lenient: true })).problems;
  if (!problems.length) return { spec: best, problems: ['(did not reproduce in lenient mode)'] };
  let tries = 0;
  const still = async (candidate) => {
    tries++;
    const r = await differentialProgram(tf, coexecution, candidate, { lenient: true });
    if (r.problems.length && !r.eager.error?.startsWith('fuzz-internal')) {
      problems = r.problems;
      return true;
    }
    return false;
  };
  for (let changed = true; changed && tries < budget;) {
    changed = false;
    const count = blocks(best.body).length;
    for (let b = 0; b < count && tries < budget; b++) {
      for (let i = blocks(best.body)[b]?.length - 1; i >= 0 && tries < budget; i--) {
        const candidate = structuredClone(best);
        blocks(candidate.body)[b].splice(i, 1);
        if (await still(candidate)) {
          best = candidate;
          changed = true;
        }
      }
    }
  }
  for (const n of [4, 6, 8, 12, 16]) {
    if (n >= best.iterations || tries >= budget) break;
    const candidate = { ...structuredClone(best), iterations: n };
    if (await still(candidate)) {
      best = candidate;
      break;
    }
  }
  return { spec: best, problems };
}

module.exports = { minimiseProgram };
