#!/usr/bin/env node
// Differential fuzzing through the CLI: the same random programs as bench/fuzz.js, each run by
// `terra run --mode eager` and by `terra run` (co-execution) as an instrumented script, with no
// explicit marker: iterations end where the Babel plugin's loop hooks and the optimizer steps say.
// The program's report (values read, errors, final variables, tensors left) printed as JSON must
// agree; the --stats-json of the co-executed run tells whether it co-executed.
//
// The generator and runner are copied into a scratch directory: files under packages/ are Terra's own
// and are never instrumented.
//
// usage: node bench/fuzz_cli.js [--count 100] [--from 5001]   (writes bench/results-fuzz-cli.md)
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { parseArgs } = require('util');
const { compareReports } = require('../packages/runtime/test/fuzz/program_runner');

const { values: opts } = parseArgs({ options: { count: { type: 'string', default: '100' }, from: { type: 'string', default: '5001' } } });
const ROOT = path.resolve(__dirname, '..');
const TERRA = path.join(ROOT, 'packages/cli/bin/terra.js');

const DRIVER = `
const tf = require('@tensorflow/tfjs');
const { generateProgram } = require('./program_generator');
const { runProgram } = require('./program_runner');
const spec = generateProgram(Number(process.argv[2]));
spec.marker = false;
(async () => {
  const before = tf.memory().numTensors;
  const r = await runProgram(tf, spec, { markIteration() {} });
  tf.disposeVariables();
  console.log(JSON.stringify({ ...r, leaked: tf.memory().numTensors - before }));
})();
`;

function scratch() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terra-fuzz-cli-'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"fuzz-cli","private":true}\n');
  for (const f of ['program_generator.js', 'program_runner.js']) {
    fs.copyFileSync(path.join(ROOT, 'packages/runtime/test/fuzz', f), path.join(dir, f));
  }
  fs.writeFileSync(path.join(dir, 'driver.js'), DRIVER);
  return dir;
}

function run(dir, args) {
  const r = spawnSync(process.execPath, [TERRA, 'run', ...args], { cwd: dir, encoding: 'utf8', timeout: 300000, maxBuffer: 1 << 26 });
  let report;
  try {
    report = JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    report = undefined;
  }
  return { status: r.status, report, stderr: r.stderr };
}

function main() {
  const dir = scratch();
  const from = Number(opts.from);
  const count = Number(opts.count);
  const t = { programs: 0, coexecuted: 0, iterations: 0, coexecutedIterations: 0, loopBoundaries: 0, stepBoundaries: 0, segments: 0, delegated: 0 };
  const disagreements = [];
  const start = Date.now();
  for (let seed = from; seed < from + count; seed++) {
    const statsFile = path.join(dir, 'stats.json');
    const eager = run(dir, ['--mode', 'eager', 'driver.js', String(seed)]);
    const coexec = run(dir, ['--stats-json', statsFile, 'driver.js', String(seed)]);
    const stats = JSON.parse(fs.readFileSync(statsFile, 'utf8'));
    t.programs++;
    if (stats.coexecution) t.coexecuted++;
    t.iterations += stats.iterations.total;
    t.coexecutedIterations += stats.iterations.coexecuted;
    t.loopBoundaries += stats.iterations.byCause.loop ?? 0;
    t.stepBoundaries += stats.iterations.byCause['optimizer step'] ?? 0;
    t.segments += stats.segments.compiled;
    t.delegated += stats.kernels.delegated;
    let problems;
    if (!eager.report || !coexec.report) problems = [`no report: eager ${eager.status} ${eager.stderr.slice(0, 200)}; terra ${coexec.status} ${coexec.stderr.slice(0, 200)}`];
    else {
      problems = compareReports(eager.report, coexec.report);
      if (eager.report.leaked !== coexec.report.leaked) problems.push(`tensors left: eager ${eager.report.leaked}, terra ${coexec.report.leaked}`);
      if (eager.status !== coexec.status) problems.push(`exit code: eager ${eager.status}, terra ${coexec.status}`);
    }
    if (problems.length) {
      disagreements.push({ seed, problems });
      process.stdout.write(`seed ${seed}: DISAGREES ${problems.join('; ')}\n`);
    }
    if (t.programs % 10 === 0) process.stdout.write(`${t.programs} programs, ${disagreements.length} disagreements, ${((Date.now() - start) / 1000).toFixed(0)} s\n`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const seconds = (Date.now() - start) / 1000;
  process.stdout.write(`${JSON.stringify({ ...t, disagreements: disagreements.length, seconds })}\n`);
  const lines = ['# Differential fuzzing through the CLI', '',
    `\`node bench/fuzz_cli.js --count ${count} --from ${from}\`, ${new Date().toISOString().slice(0, 10)}, ${seconds.toFixed(0)} s. ` +
    'The programs of bench/fuzz.js, run as instrumented scripts by `terra run --mode eager` and `terra run`, with no marker: ' +
    'iterations end at the Babel plugin\'s loop boundaries and at optimizer steps. See docs/reliability.md.', '',
    '| | |', '|---|---|',
    `| programs | ${t.programs} |`,
    `| **disagreements** | **${disagreements.length}** |`,
    `| programs that co-executed | ${t.coexecuted} |`,
    `| iterations (ended by a loop / by an optimizer step) | ${t.iterations} (${t.loopBoundaries} / ${t.stepBoundaries}), ${t.coexecutedIterations} co-executed whole |`,
    `| segments compiled / kernels delegated | ${t.segments} / ${t.delegated} |`, ''];
  for (const d of disagreements) lines.push(`- seed ${d.seed}: ${d.problems.join('; ')}`);
  fs.writeFileSync(path.join(__dirname, 'results-fuzz-cli.md'), lines.join('\n') + '\n');
  process.exitCode = disagreements.length ? 1 : 0;
}

main();
