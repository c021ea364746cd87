#!/usr/bin/env node
// Differential fuzzing of co-execution (not a benchmark of speed): random tfjs programs
// (packages/runtime/test/fuzz/program_generator.js) each run eagerly on terra and under co-execution;
// every value read, every error, the final variables and the tensors left behind must agree. A
// disagreement is minimised (deleting statements while it persists) and printed as JSON, ready to be
// pasted into packages/runtime/test/fuzz/fuzz_regressions.test.ts.
//
// usage: node bench/fuzz.js [--count 1000] [--from 1] [--seed N] [--no-write] [--verbose]
//        (writes bench/results-fuzz.md unless --no-write or --seed)
const fs = require('fs');
const os = require('os');
const path = require('path');
const { parseArgs } = require('util');
const tf = require('@tensorflow/tfjs');
const { coexecution } = require('@terrajs/runtime');
const { generateProgram } = require('../packages/runtime/test/fuzz/program_generator');
const { differentialProgram, coexecuted } = require('../packages/runtime/test/fuzz/program_runner');
const { minimiseProgram } = require('../packages/runtime/test/fuzz/minimise');

const { values: opts } = parseArgs({
  options: {
    count: { type: 'string', default: '1000' },
    from: { type: 'string', default: '1' },
    seed: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

// Co-execution says once on stderr when it recovers from a failure; count those lines instead.
const notices = [];
const stderrWrite = process.stderr.write.bind(process.stderr);
process.stderr.write = (chunk, ...rest) => {
  const s = String(chunk);
  if (s.startsWith('terra: ')) {
    notices.push(s.trim());
    return true;
  }
  return stderrWrite(chunk, ...rest);
};

async function main() {
  const seeds = opts.seed !== undefined
    ? [Number(opts.seed)]
    : Array.from({ length: Number(opts.count) }, (_, i) => Number(opts.from) + i);
  const totals = {
    programs: 0, coexecuted: 0, iterations: 0, coexecutedIterations: 0, divergedIterations: 0, divergences: 0,
    segmentsCompiled: 0, segmentRuns: 0, delegated: 0, runAheadStretches: 0, recovered: 0, compileFailed: 0,
    programErrors: 0, caught: 0, reads: 0,
  };
  const disagreements = [];
  const start = Date.now();
  for (const seed of seeds) {
    const spec = generateProgram(seed);
    const noticesBefore = notices.length;
    const r = await differentialProgram(tf, coexecution, spec);
    const s = r.stats;
    totals.programs++;
    if (coexecuted(s)) totals.coexecuted++;
    if (s) {
      totals.iterations += s.iterations.total;
      totals.coexecutedIterations += s.iterations.coexecuted;
      totals.divergedIterations += s.iterations.diverged;
      totals.divergences += s.divergenceCount;
      totals.segmentsCompiled += s.segments.compiled;
      totals.segmentRuns += s.segments.runs;
      totals.delegated += s.kernels.delegated;
      totals.runAheadStretches += s.runAhead.stretches;
      totals.recovered += s.segments.recovered;
      totals.compileFailed += s.segments.failed;
    }
    if (r.eager.error) totals.programErrors++;
    totals.caught += r.eager.log.filter((v) => typeof v === 'string' && v.startsWith('caught')).length;
    totals.reads += r.eager.log.length;
    if (r.eager.error?.startsWith('fuzz-internal')) process.stdout.write(`seed ${seed}: generator bug: ${r.eager.error}\n`);
    if (opts.verbose || r.problems.length) {
      process.stdout.write(`seed ${seed}: ${r.problems.length ? 'DISAGREES ' + r.problems.join('; ') : 'ok'} ` +
        `(co-executed ${s?.iterations.coexecuted}/${s?.iterations.total} iterations, ${notices.length - noticesBefore} notices)` +
        `${r.eager.error ? ` error: ${r.eager.error.slice(0, 200)}` : ""}\n`);
    }
    if (r.problems.length) {
      const minimal = await minimiseProgram(tf, coexecution, spec);
      disagreements.push({ seed, problems: r.problems, minimal });
      process.stdout.write(`  minimised: ${JSON.stringify(minimal.spec)}\n  ${minimal.problems.join('; ')}\n`);
    }
    if (totals.programs % 50 === 0) {
      process.stdout.write(`${totals.programs} programs, ${disagreements.length} disagreements, ${((Date.now() - start) / 1000).toFixed(0)} s\n`);
      // Written as it goes, so that a run stopped early still leaves its figures (marked partial).
      if (!opts['no-write'] && opts.seed === undefined) write(seeds, totals, disagreements, (Date.now() - start) / 1000, notices, false);
    }
  }
  const seconds = (Date.now() - start) / 1000;
  process.stdout.write(`${JSON.stringify({ ...totals, disagreements: disagreements.length, seconds })}\n`);
  if (!opts['no-write'] && opts.seed === undefined) write(seeds, totals, disagreements, seconds, notices, true);
  process.exitCode = disagreements.length ? 1 : 0;
}

function write(seeds, t, disagreements, seconds, stderrNotices, complete) {
  const pct = (a, b) => `${((100 * a) / Math.max(1, b)).toFixed(1)}%`;
  const lines = [
    '# Differential fuzzing of co-execution',
    '',
    `\`node bench/fuzz.js --count ${seeds.length} --from ${seeds[0]}\`, ${new Date().toISOString().slice(0, 10)}, ` +
      `${os.cpus().length} cores (shared with other work), ${seconds.toFixed(0)} s.`,
    '',
    ...(complete ? [] : [`**Partial: stopped after ${t.programs} of ${seeds.length} programs** (figures so far).`, '']),
    'Each program (seeds ' + `${seeds[0]}..${seeds[0] + t.programs - 1}` + ') is generated by packages/runtime/test/fuzz/program_generator.js ' +
      'and run twice in one process, eagerly on the terra backend and under co-execution; every value read, every error message ' +
      '(caught or final), the final variables and carried tensors, and the number of tensors left behind are compared ' +
      '(floats within 1e-3 relative or 1e-4 absolute). See docs/reliability.md.',
    '',
    '| | |',
    '|---|---|',
    `| programs | ${t.programs} |`,
    `| **disagreements** | **${disagreements.length}** |`,
    `| programs that co-executed (at least one iteration validated and run as segments) | ${t.coexecuted} (${pct(t.coexecuted, t.programs)}) |`,
    `| iterations | ${t.iterations}: ${t.coexecutedIterations} co-executed whole, ${t.divergedIterations} diverged part-way |`,
    `| divergences (fell back to eager, re-traced) | ${t.divergences} |`,
    `| kernels delegated to compiled segments | ${t.delegated} |`,
    `| segments compiled / runs / run-ahead stretches | ${t.segmentsCompiled} / ${t.segmentRuns} / ${t.runAheadStretches} |`,
    `| runs recovered after failing in the worker / segments that could not compile | ${t.recovered} / ${t.compileFailed} |`,
    `| values and events compared (reads, branch decisions, caught errors) | ${t.reads} (${t.caught} caught errors) |`,
    `| programs ended by an uncaught error (on purpose), compared too | ${t.programErrors} |`,
    `| co-execution notices on stderr (recoveries, compile failures) | ${stderrNotices.length} |`,
    '',
  ];
  if (disagreements.length) {
    lines.push('## Disagreements', '');
    for (const d of disagreements) lines.push(`- seed ${d.seed}: ${d.problems.join('; ')}`, `  minimised: \`${JSON.stringify(d.minimal.spec)}\``);
    lines.push('');
  }
  if (stderrNotices.length) {
    lines.push('## Notices', '', ...[...new Set(stderrNotices)].slice(0, 10).map((n) => `- ${n.slice(0, 300)}`), '');
  }
  fs.writeFileSync(path.join(__dirname, 'results-fuzz.md'), lines.join('\n'));
}

main().catch((e) => {
  process.stderr.write = stderrWrite;
  console.error(e);
  process.exitCode = 2;
});
