/**
 * The static limit of a program: the segment runs of one co-executed iteration (iteration_profile.ts)
 * run back to back by ONNX Runtime on the main thread, each on the input values it received, with the
 * GraphRunner's session options. No JS issues kernels, no tfjs engine, no worker messages: what
 * co-execution would cost per iteration if all it did were the generated graphs. Graph breaks (kernels
 * run on the host between segments) are not in it; their count is reported beside it.
 */
import { OrtTensor, OrtTensorClass, SyncSession } from '../ort/sync_session';
import type { ProfiledIteration } from './iteration_profile';

export interface StaticLimitOptions {
  /** Timed samples; the result is their median (default 7). */
  repeats?: number;
  /** Each sample runs the iteration this many times over, at least (default 20 ms). */
  minSampleMs?: number;
}

export interface StaticLimit {
  /** Median over the samples of the time to run the iteration's segments once, back to back. */
  msPerIteration: number;
  /** Every sample, in ms per iteration. */
  samples: number[];
  /** How many times each sample ran the iteration's runs. */
  passesPerSample: number;
  /** The profiled iteration: its number, its runs in order (segment and input signatures), kernels. */
  iteration: number;
  runs: Array<{ segment: string; inputs: Array<{ dtype: string; shape: number[] }> }>;
  segments: number;
  delegated: number;
  breaks: number;
  /** Where the input values came from. */
  inputs: 'recorded';
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function measureStaticLimit(profile: ProfiledIteration, options: StaticLimitOptions = {}): StaticLimit {
  const repeats = options.repeats ?? 7;
  const minSampleMs = options.minSampleMs ?? 20;
  const sessions = new Map<string, SyncSession>();
  try {
    const runs: Array<{ session: SyncSession; feeds: OrtTensor[] }> = profile.runs.map((r) => {
      let session = sessions.get(r.segment);
      if (!session) {
        session = new SyncSession(r.model, profile.sessionOptions);
        sessions.set(r.segment, session);
      }
      return { session, feeds: r.inputs.map((v) => new OrtTensorClass(v.dtype, v.data, v.shape)) };
    });
    const pass = () => {
      for (const r of runs) r.session.run(r.feeds);
    };
    // The first passes warm ORT's allocators and caches; they also size the samples.
    const t0 = performance.now();
    for (let i = 0; i < 3; i++) pass();
    const warmMs = (performance.now() - t0) / 3;
    const passes = Math.max(1, Math.ceil(minSampleMs / Math.max(warmMs, 1e-3)));
    const samples: number[] = [];
    for (let k = 0; k < repeats; k++) {
      const start = performance.now();
      for (let i = 0; i < passes; i++) pass();
      samples.push((performance.now() - start) / passes);
    }
    return {
      msPerIteration: median(samples),
      samples,
      passesPerSample: passes,
      iteration: profile.iteration,
      runs: profile.runs.map((r) => ({ segment: r.segment, inputs: r.inputs.map((v) => ({ dtype: v.dtype, shape: [...v.shape] })) })),
      segments: sessions.size,
      delegated: profile.delegated,
      breaks: profile.breaks,
      inputs: 'recorded',
    };
  } finally {
    for (const s of sessions.values()) s.dispose();
  }
}
