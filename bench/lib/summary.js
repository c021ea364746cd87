// From the raw runs (bench/results.json) to the figures of the report: medians per fixture and mode,
// ratios, geometric means and the four targets of issue 5.
const { geomean, median } = require('./stats');

const SEVERITY = ['ok', 'unchecked', 'drift', 'wrong', 'timed-out', 'failed', 'cannot-run'];
/** Outcomes whose run went to its end, so that its time per iteration means something. */
const RAN = new Set(['ok', 'unchecked', 'drift', 'wrong']);

const TARGETS = { vsEager: 2.5, vsWasm: 3, vsLimit: 0.9, warmupShare: 0.1 };

/** The worst outcome over the repeats, and in how many of them it happened. */
function worstOutcome(runs) {
  const worst = runs.reduce((a, r) => (SEVERITY.indexOf(r.outcome.kind) > SEVERITY.indexOf(a.outcome.kind) ? r : a), runs[0]);
  const count = runs.filter((r) => r.outcome.kind === worst.outcome.kind).length;
  return { ...worst.outcome, count, of: runs.length };
}

function modeFigures(runs) {
  if (!runs || runs.length === 0) return undefined;
  const timed = runs.filter((r) => RAN.has(r.outcome.kind) && r.timing);
  const rss = runs.map((r) => r.rssBytes).filter((x) => x);
  return {
    ms: median(timed.map((r) => r.timing.perIterationMs)),
    warmupMs: median(timed.map((r) => r.timing.warmupMs)),
    window: timed[0] ? `${timed[0].timing.from}-${timed[0].timing.to}` : undefined,
    rssMB: rss.length ? median(rss) / 2 ** 20 : undefined,
    outcome: worstOutcome(runs),
    iterations: [...new Set(runs.map((r) => r.iterations))],
    // tfjs wasm: the kernels it lacks that ran as tfjs cpu's (bench/lib/wasm_cpu_kernels.js), over the repeats.
    cpuKernels: [...new Set(runs.flatMap((r) => r.cpuKernels ?? []))].sort(),
  };
}

/** Where terra's time goes, from its stats: iterations co-executed, waits, breaks, runs. */
function terraProfile(runs) {
  const withStats = (runs ?? []).filter((r) => r.stats && RAN.has(r.outcome.kind));
  if (withStats.length === 0) return undefined;
  const per = (f) => median(withStats.map(f));
  const coexecuted = (s) => Math.max(1, s.iterations.coexecuted + s.iterations.diverged);
  return {
    coexecutedShare: per((r) => r.stats.iterations.coexecuted / Math.max(1, r.stats.iterations.total)),
    diverged: per((r) => r.stats.iterations.diverged),
    waitMsPerIteration: per((r) => r.stats.timings.waitMs / coexecuted(r.stats)),
    breaksPerIteration: per((r) => r.stats.breaks / Math.max(1, r.stats.iterations.total)),
    runsPerIteration: per((r) => r.stats.segments.runs / coexecuted(r.stats)),
    compileMs: per((r) => r.stats.timings.compileMs),
    segmentsFailed: per((r) => r.stats.segments.failed),
  };
}

function fixtureSummary(fx) {
  const m = Object.fromEntries(Object.entries(fx.runs).filter(([k]) => k !== 'limit').map(([k, runs]) => [k, modeFigures(runs)]));
  const limits = (fx.runs.limit ?? []).map((r) => r.staticLimit).filter((l) => l && !l.error);
  const limitError = limits.length === 0 ? (fx.runs.limit?.[0]?.staticLimit?.error ?? 'not measured') : undefined;
  const limit = limits.length ? {
    ms: median(limits.map((l) => l.msPerIteration)),
    runs: limits[0].runs, segments: limits[0].segments, delegated: limits[0].delegated, breaks: limits[0].breaks,
    inputs: limits[0].inputs,
  } : undefined;
  const terra = m.terra?.ms;
  const ratio = (base) => (base !== undefined && terra !== undefined ? base / terra : undefined);
  const profile = terraProfile(fx.runs.terra);
  const staticRight = m.static?.outcome.kind === 'ok';
  return {
    name: fx.name,
    repeats: fx.repeats ?? fx.runs.eager?.length ?? 0,
    modes: m,
    limit,
    limitError,
    profile,
    // No dynamic features, as measured: no terra iteration diverged and static mode replayed it right.
    isStatic: profile !== undefined && profile.diverged === 0 && staticRight,
    vsEager: ratio(m.eager?.ms),
    vsWasm: ratio(m.wasm?.ms),
    vsLimit: ratio(limit?.ms),
    warmupShare: m.terra?.warmupMs !== undefined && terra !== undefined ? m.terra.warmupMs / (m.terra.warmupMs + 100 * terra) : undefined,
  };
}

const defined = (xs) => xs.filter((x) => x !== undefined && Number.isFinite(x));

function summarize(data) {
  const fixtures = data.fixtures.map(fixtureSummary);
  const gm = (key, rows) => {
    const xs = defined(rows.map((f) => f[key]));
    return { value: geomean(xs), n: xs.length, of: rows.length };
  };
  const statics = fixtures.filter((f) => f.isStatic);
  const geomeans = {
    vsEager: gm('vsEager', fixtures),
    vsWasm: gm('vsWasm', fixtures),
    vsLimitStatic: gm('vsLimit', statics),
    vsLimitAll: gm('vsLimit', fixtures),
  };
  const perFixture = (rows, key, bound, atLeast) => {
    const measured = rows.filter((f) => f[key] !== undefined);
    const misses = measured.filter((f) => (atLeast ? f[key] < bound : f[key] > bound));
    return { measured: measured.length, of: rows.length, misses: misses.map((f) => ({ name: f.name, value: f[key] })) };
  };
  const targets = [
    { key: 'vsEager', text: `terra at least ${TARGETS.vsEager}x terra eager (geometric mean over the fixtures)`, kind: 'geomean', bound: TARGETS.vsEager, ...geomeans.vsEager },
    { key: 'vsWasm', text: `terra at least ${TARGETS.vsWasm}x tfjs wasm (geometric mean over the fixtures wasm can run, given tfjs cpu's kernels for those it lacks)`, kind: 'geomean', bound: TARGETS.vsWasm, ...geomeans.vsWasm },
    { key: 'vsLimit', text: `terra at least ${TARGETS.vsLimit}x the static limit on each fixture with no dynamic features`, kind: 'each', bound: TARGETS.vsLimit, atLeast: true, ...perFixture(statics, 'vsLimit', TARGETS.vsLimit, true) },
    { key: 'warmupShare', text: `warm-up at most ${100 * TARGETS.warmupShare}% of a 100-iteration run (each fixture)`, kind: 'each', bound: TARGETS.warmupShare, atLeast: false, ...perFixture(fixtures, 'warmupShare', TARGETS.warmupShare, false) },
  ];
  for (const t of targets) {
    if (t.kind === 'geomean') t.met = t.value === undefined ? undefined : t.value >= t.bound;
    else t.met = t.measured === 0 ? undefined : t.misses.length === 0;
  }
  return { fixtures, geomeans, targets };
}

module.exports = { summarize, TARGETS };
