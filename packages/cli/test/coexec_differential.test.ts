// The differential suite for co-execution: each program in coexec_programs/ is a plain tfjs program (no
// reference to Terra) exercising one JS feature around tensor code. Each runs with `--mode eager` and with
// `--mode terra`; every line it prints must match (numbers within float tolerance), and the stats must show
// that co-execution really happened (a run that matched while everything ran eagerly fails).
//
// The programs are copied into a scratch directory before running: files under packages/cli are Terra's
// own package and are never instrumented, so run in place they would have no loop hooks and no sites.
import * as fs from 'fs';
import * as path from 'path';
import { Run, scratch, terra } from './helpers';

const PROGRAMS_DIR = path.join(__dirname, 'coexec_programs');

interface Case {
  name: string;
  /** A whole iteration is known to diverge: a path first taken after co-execution started. */
  diverges?: boolean;
}

const CASES: Case[] = [
  { name: 'if_while_break', diverges: true }, // the `if` flips at step 30, long after co-execution starts
  { name: 'prng_path', diverges: true }, // the L1 term is first taken at step 20
  { name: 'third_party_indices' },
  { name: 'object_map_mutation' },
  { name: 'carried_tensors' },
  { name: 'exceptions' },
  { name: 'generators_async' },
  { name: 'shape_changes', diverges: true }, // every 3 epochs the sequence grows: a new unrolled path
  { name: 'nested_tidy' },
  { name: 'two_optimizers' },
  { name: 'layers_fit_callbacks' },
  { name: 'fit_dataset' },
  { name: 'custom_loop_optimizers' },
  { name: 'inference_loop' },
];

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
const REL_TOL = 1e-3;
const ABS_TOL = 1e-4;

/** Differences between two program outputs: line count, then per line token by token. */
function compareOutputs(eager: string, terraOut: string): string[] {
  const a = eager.replace(/\n$/, '').split('\n');
  const b = terraOut.replace(/\n$/, '').split('\n');
  const problems: string[] = [];
  if (a.length !== b.length) problems.push(`line count: eager ${a.length}, terra ${b.length}`);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const ta = a[i].trim().split(/[\s,]+/);
    const tb = b[i].trim().split(/[\s,]+/);
    let same = ta.length === tb.length;
    for (let j = 0; same && j < ta.length; j++) {
      if (ta[j] === tb[j]) continue;
      if (NUMBER.test(ta[j]) && NUMBER.test(tb[j])) {
        const x = Number(ta[j]);
        const y = Number(tb[j]);
        const diff = Math.abs(x - y);
        if (diff <= ABS_TOL || diff <= REL_TOL * Math.max(Math.abs(x), Math.abs(y))) continue;
      }
      same = false;
    }
    if (!same) problems.push(`line ${i + 1}:\n    eager: ${a[i]}\n    terra: ${b[i]}`);
    if (problems.length >= 10) break;
  }
  return problems;
}

interface Stats {
  mode: string;
  coexecution: boolean;
  note: string;
  iterations: { total: number; traced: number; coexecuted: number; diverged: number };
  kernels: { delegated: number; breaks: number; ort: number; cpu: number; view: number };
  segments: { compiled: number; runs: number; failed: number; replays: number };
  divergences: { count: number; first: unknown[] };
}

function summary(stats: Stats | undefined): string {
  if (!stats) return 'no stats file';
  const { byKernel: _ignored, ...kernels } = stats.kernels as Stats['kernels'] & { byKernel?: unknown };
  return JSON.stringify({
    note: stats.note,
    coexecution: stats.coexecution,
    iterations: stats.iterations,
    kernels,
    segments: stats.segments,
    divergences: { count: stats.divergences.count, first: stats.divergences.first.slice(0, 5) },
  }, null, 2);
}

const tail = (s: string, n = 15) => s.split('\n').slice(-n).join('\n');

let dir: string;
beforeAll(() => {
  const files: Record<string, string> = {};
  for (const c of CASES) files[`${c.name}.js`] = fs.readFileSync(path.join(PROGRAMS_DIR, `${c.name}.js`), 'utf8');
  dir = scratch(files);
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the comparison tolerates float noise only', () => {
  expect(compareOutputs('step 1 loss 0.123456\nw 1.000000,2.000000\n', 'step 1 loss 0.123457\nw 1.000010,2.000000\n')).toEqual([]);
  expect(compareOutputs('loss 0.500000\n', 'loss 0.501000\n')).toHaveLength(1);
  expect(compareOutputs('loss 1000.000000\n', 'loss 1000.500000\n')).toEqual([]);
  expect(compareOutputs('pred 0121\n', 'pred 0122\n')).toHaveLength(1);
  expect(compareOutputs('caught skip 4\n', 'step 4\n')).toHaveLength(1);
  expect(compareOutputs('a\nb\n', 'a\n')).toEqual(['line count: eager 2, terra 1']);
});

test('every program in coexec_programs/ has a case', () => {
  const onDisk = fs.readdirSync(PROGRAMS_DIR).filter((f) => f.endsWith('.js')).map((f) => f.replace(/\.js$/, '')).sort();
  expect(onDisk).toEqual(CASES.map((c) => c.name).sort());
});

describe('terra co-execution matches eager execution', () => {
  test.each(CASES)('$name', ({ name, diverges }) => {
    const script = `${name}.js`;
    const statsFile = path.join(dir, `${name}.stats.json`);
    const eager: Run = terra(dir, ['run', '--mode', 'eager', script]);
    const co: Run = terra(dir, ['run', '--mode', 'terra', '--stats-json', statsFile, script]);
    const stats: Stats | undefined = fs.existsSync(statsFile) ? JSON.parse(fs.readFileSync(statsFile, 'utf8')) : undefined;

    const problems: string[] = [];
    if (eager.status !== 0) problems.push(`eager exited ${eager.status}:\n${tail(eager.stderr)}`);
    if (co.status !== 0) problems.push(`terra exited ${co.status}:\n${tail(co.stderr)}`);
    if (eager.stdout.trim() === '') problems.push('eager printed nothing');
    problems.push(...compareOutputs(eager.stdout, co.stdout));
    if (!stats) problems.push('no --stats-json file was written');
    else {
      if (stats.mode !== 'terra') problems.push(`stats.mode is ${stats.mode}`);
      if (!(stats.iterations.coexecuted >= 1)) problems.push('no iteration was co-executed (iterations.coexecuted = 0)');
      if (!(stats.kernels.delegated > 0)) problems.push('no kernel was delegated to a compiled segment (kernels.delegated = 0)');
      if (!(stats.segments.runs > 0)) problems.push('no segment ran (segments.runs = 0)');
      if (!stats.coexecution) problems.push('stats.coexecution is false');
      if (diverges && !(stats.iterations.diverged > 0)) {
        problems.push('expected an iteration to diverge (iterations.diverged = 0)');
      }
    }
    if (problems.length > 0) {
      throw new Error(`${name}: ${problems.length} problem(s)\n  ${problems.join('\n  ')}\n` +
        `terra stats:\n${summary(stats)}\nterra stderr (tail):\n${tail(co.stderr)}`);
    }
  }, 120000);
});
