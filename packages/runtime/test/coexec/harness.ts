/**
 * Differential harness for co-execution: a program runs eagerly on the terra backend, then again
 * under co-execution; every value it reports must agree, and the counters must show that it really
 * co-executed (a program that matched while running eagerly fails).
 */
import * as tf from '@tensorflow/tfjs';
import { coexecution } from '@terrajs/runtime';
import type { CoexecCounters, CoexecOptions, SegmentInfo } from '../../src/coexec';
import { prng } from '../parity/harness';

export { tf, prng };

/** What a program reports: every value it read, in order. */
export type Report = number[];

export type Program = (log: (...values: Array<number | ArrayLike<number>>) => void) => Promise<void> | void;

async function runOnce(program: Program): Promise<Report> {
  const out: number[] = [];
  const log = (...values: Array<number | ArrayLike<number>>) => {
    for (const v of values) {
      if (typeof v === 'number') out.push(v);
      else out.push(...Array.from(v));
    }
  };
  await program(log);
  return out;
}

export interface DifferentialResult {
  eager: Report;
  coexec: Report;
  stats: CoexecCounters;
  /** The compiled segments, as dumps see them. */
  segments: SegmentInfo[];
}

/** Runs `program` eagerly and co-executed; returns both reports and the co-execution counters. */
export async function differential(program: Program, options: CoexecOptions = {}): Promise<DifferentialResult> {
  await tf.setBackend('terra');
  let before = tf.memory().numTensors;
  const eager = await runOnce(program);
  tf.disposeVariables();
  const eagerLeaked = tf.memory().numTensors - before;
  before = tf.memory().numTensors;
  coexecution.start(options);
  let stats: CoexecCounters;
  let coexec: Report;
  let segments: SegmentInfo[];
  try {
    coexec = await runOnce(program);
    stats = coexecution.stats()!;
    segments = coexecution.compiledSegments();
    if (process.env.TERRA_TEST_STATS) process.stderr.write(`${expect.getState().currentTestName}: ${JSON.stringify({ it: stats.iterations, ra: stats.runAhead, seg: stats.segments, div: stats.divergenceCount })}\n`);
  } finally {
    await coexecution.stop();
  }
  tf.disposeVariables();
  // Whatever the program leaves undisposed, it leaves the same way under co-execution.
  expect(tf.memory().numTensors - before).toBe(eagerLeaked);
  return { eager, coexec, stats, segments };
}

/** Asserts equal reports (float tolerance) and that co-execution happened. */
export function expectAgreement(r: DifferentialResult, tolerance = 1e-4): void {
  const show = () => JSON.stringify(r.stats);
  expect(r.coexec.length).toBe(r.eager.length);
  r.eager.forEach((v, i) => {
    const w = r.coexec[i];
    if (Number.isNaN(v)) {
      expect(w).toBeNaN();
      return;
    }
    if (Math.abs(v - w) > tolerance * (1 + Math.abs(v))) {
      throw new Error(`value ${i} differs: eager ${v}, co-executed ${w}\nstats ${show()}`);
    }
  });
  if (!(r.stats.iterations.coexecuted > 0 && r.stats.kernels.delegated > 0 && r.stats.segments.runs > 0)) {
    throw new Error(`the program did not co-execute: ${show()}`);
  }
}

/** Seeded normal-ish values for a tensor (sum of uniforms), so programs are deterministic. */
export function data(seed: number, shape: number[], scale = 1): tf.Tensor {
  const next = prng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: n }, () => (next() + next() + next() - 1.5) * scale), shape);
}
