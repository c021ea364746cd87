// Whether a run is right: it ran, and what it printed agrees with terra eager's run of the same fixture.
// The CLI's comparison (its differential tests use the same); the package exports no dist paths.
const { compareOutputs, sameLine } = require('../../packages/cli/dist/output_diff');
const { stepLines } = require('./timing');

const MISSING_KERNEL = [/Kernel '(\w+)' not registered for backend/, /'(\w+)' not yet implemented or not found in the registry/];

/** The kernel a backend lacks, from tfjs's error on stderr. */
function missingKernel(stderr) {
  for (const re of MISSING_KERNEL) {
    const m = re.exec(stderr);
    if (m) return m[1];
  }
  return undefined;
}

/** The line of stderr that says what went wrong: the first error line, or the last line. */
function errorLine(stderr) {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = lines.find((l) => /^(\w*Error\b|terra: )/.test(l)) ?? lines[lines.length - 1] ?? 'no message';
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

/**
 * Steps whose losses must agree before a baseline's later difference counts as drift: the first (the
 * forward pass and loss, before any update) and the second (after one update, so the gradients too).
 */
const AGREEING_FOR_DRIFT = 2;

/**
 * { kind, detail }: kind is 'ok', 'wrong', 'drift', 'failed', 'cannot-run', 'timed-out' or 'unchecked'
 * (no reference to compare with). With sameIterations, the whole output is compared line by line;
 * otherwise (a baseline run for fewer iterations, on another backend) the losses of the steps both runs
 * printed: 'drift' when they agree over the first steps and part later, as float differences between
 * backends do once an optimizer such as Adam amplifies them; a wrong kernel shows from the first steps.
 */
function outcome(run, reference, sameIterations) {
  if (run.timedOut) return { kind: 'timed-out', detail: `killed after ${(run.ms / 1000).toFixed(0)} s` };
  if (run.status !== 0) {
    const kernel = missingKernel(run.stderr);
    if (kernel) return { kind: 'cannot-run', detail: `kernel ${kernel}` };
    return { kind: 'failed', detail: `exit ${run.status ?? run.signal}: ${errorLine(run.stderr)}` };
  }
  if (!reference) return { kind: 'unchecked', detail: 'terra eager did not run' };
  let problems;
  if (sameIterations) {
    problems = compareOutputs(reference.stdout, run.stdout, ['terra eager', 'this mode'], undefined, 1);
  } else {
    const ref = stepLines(reference.stdout);
    const mine = stepLines(run.stdout);
    const common = [...mine.keys()].filter((s) => ref.has(s)).sort((a, b) => a - b);
    if (common.length === 0) return { kind: 'wrong', detail: 'no step printed by both runs' };
    const first = common.findIndex((s) => !sameLine(ref.get(s).text, mine.get(s).text));
    if (first < 0) return { kind: 'ok', detail: '' };
    const s = common[first];
    const [a, b] = [ref.get(s).loss, mine.get(s).loss];
    const rel = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
    const apart = `step ${s} loss ${b} against ${a}${Number.isFinite(rel) ? ` (${(100 * rel).toPrecision(2)}% apart)` : ''}`;
    if (first >= AGREEING_FOR_DRIFT) return { kind: 'drift', detail: `steps ${common[0]}-${common[first - 1]} agree; ${apart}` };
    problems = [apart];
  }
  if (problems.length === 0) return { kind: 'ok', detail: '' };
  return { kind: 'wrong', detail: problems[0].replace(/:\n\s*/, ': ').replace(/\n\s*/g, '; ') };
}

module.exports = { outcome, AGREEING_FOR_DRIFT };
