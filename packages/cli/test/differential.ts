/**
 * The eager-versus-terra differential check shared by the CLI's suites (coexec_programs/, fixtures/):
 * a program runs with `--mode eager` and with `--mode terra`; every line it prints must match (numbers
 * within float tolerance), and the stats must show that co-execution really happened (a run that
 * matched while everything ran eagerly fails).
 */
import * as fs from 'fs';
import { compareOutputs } from '../src/output_diff';
import { Run, terra } from './helpers';

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

export interface DifferentialCase {
  /** Names the program in the error. */
  name: string;
  /** Directory the runs start in (where relative paths resolve). */
  cwd: string;
  script: string;
  args?: string[];
  /** Where the terra run writes --stats-json. */
  statsFile: string;
  /** A whole iteration is known to diverge: a path first taken after co-execution started. */
  diverges?: boolean;
}

/** Runs the program both ways; throws one error listing every problem, with terra's stats and stderr. */
export function expectEagerTerraAgree(c: DifferentialCase): void {
  const args = c.args ?? [];
  fs.rmSync(c.statsFile, { force: true });
  const eager: Run = terra(c.cwd, ['run', '--mode', 'eager', c.script, ...args]);
  const co: Run = terra(c.cwd, ['run', '--mode', 'terra', '--stats-json', c.statsFile, c.script, ...args]);
  const stats: Stats | undefined = fs.existsSync(c.statsFile) ? JSON.parse(fs.readFileSync(c.statsFile, 'utf8')) : undefined;

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
    if (c.diverges && !(stats.iterations.diverged > 0)) {
      problems.push('expected an iteration to diverge (iterations.diverged = 0)');
    }
  }
  if (problems.length > 0) {
    throw new Error(`${c.name}: ${problems.length} problem(s)\n  ${problems.join('\n  ')}\n` +
      `terra stats:\n${summary(stats)}\nterra stderr (tail):\n${tail(co.stderr)}`);
  }
}
