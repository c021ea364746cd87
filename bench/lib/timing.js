// Time per iteration and warm-up, from the arrival times of a run's `step <i> loss <v>` lines.
//
// A line for step i arrives when iteration i has ended (the fixture read its loss). Steady state is
// measured from the first step printed at or after `from` to the last step printed:
//   perIterationMs = (t(last) - t(first)) / (last - first).
// Warm-up is what iterations 1..first cost beyond that rate:
//   warmupMs = (t(first) - t(step 0)) - first * perIterationMs.
// Iteration 0 is left out: its time is mixed with the program's own setup (data, model, first-use
// costs of tfjs), which every mode pays.
// `step <i> loss <v>`, also with other fields between (`step 5 len 32 loss 1.2`); `step 5 exact 3/8` is not one.
const STEP = /^step (\d+) (?:.* )?loss (\S+)/;

function stepTimes(lines) {
  const steps = [];
  for (const { t, text } of lines) {
    const m = STEP.exec(text);
    if (m) steps.push({ step: Number(m[1]), t });
  }
  return steps;
}

/** { perIterationMs, warmupMs, from, to } or undefined when the run printed too few steps. */
function steadyState(lines, from) {
  const steps = stepTimes(lines);
  const zero = steps.find((s) => s.step === 0);
  const first = steps.find((s) => s.step >= from);
  const last = steps[steps.length - 1];
  if (!zero || !first || !last || last.step <= first.step) return undefined;
  const perIterationMs = (last.t - first.t) / (last.step - first.step);
  const warmupMs = Math.max(0, first.t - zero.t - first.step * perIterationMs);
  return { perIterationMs, warmupMs, from: first.step, to: last.step };
}

/** The loss line printed at each step: { text, loss } (the text is compared token by token). */
function stepLines(stdout) {
  const byStep = new Map();
  for (const text of stdout.split('\n')) {
    const m = STEP.exec(text);
    if (m) byStep.set(Number(m[1]), { text, loss: Number(m[2]) });
  }
  return byStep;
}

module.exports = { steadyState, stepLines };
