import type { coexecution } from '@terrajs/runtime';

/** What `terra run` and the register entry are asked to do. */
export const MODES = ['terra', 'eager', 'static', 'cpu', 'wasm'] as const;
export type Mode = (typeof MODES)[number];

/** ONNX Runtime's graph optimization levels, for --segment-optimization (the runtime's type, listed for validation). */
export const SEGMENT_OPTIMIZATIONS = ['disabled', 'basic', 'extended', 'all'] as const satisfies readonly coexecution.SegmentOptimization[];
export type SegmentOptimizationLevel = coexecution.SegmentOptimization;

export interface TerraConfig {
  mode: Mode;
  /** Print a readable summary on stderr at exit. */
  stats: boolean;
  /** Write the machine-readable summary to this file at exit. */
  statsJson?: string;
  /** Directory for graph dumps. */
  dump?: string;
  /** Packages under node_modules to instrument as well. */
  instrument: string[];
  /** Site ids are relative to this directory. */
  root?: string;
  /** ONNX Runtime execution provider for the compiled segments (terra and static modes). */
  ep: string;
  /** Co-execution starts after this many iterations in a row that added no new path. */
  stableAfter?: number;
  /** Shadow co-executed iterations eagerly and compare (docs/check.md). */
  check?: boolean;
  /** Use the compiled-graph cache (docs/cache.md). */
  cache: boolean;
  /** Its directory; default under the project's node_modules/.cache (see compile_cache.ts). */
  cacheDir?: string;
  /** Its size bound in MiB; default 256. */
  cacheMaxMb?: number;
  /** The compile progress bar: 'auto' draws it on a TTY only. */
  progress: 'auto' | 'never';
  /** ORT's optimization level for the segments; default 'disabled' (coexec/options.ts). */
  segmentOptimization?: SegmentOptimizationLevel;
}

export class ConfigError extends Error {}

export function parseSegmentOptimization(value: string, what: string): SegmentOptimizationLevel {
  if ((SEGMENT_OPTIMIZATIONS as readonly string[]).includes(value)) return value as SegmentOptimizationLevel;
  throw new ConfigError(`invalid ${what} '${value}' (expected one of ${SEGMENT_OPTIMIZATIONS.join(', ')})`);
}

export function parseMode(value: string, what = 'mode'): Mode {
  if ((MODES as readonly string[]).includes(value)) return value as Mode;
  throw new ConfigError(`invalid ${what} '${value}' (expected one of ${MODES.join(', ')})`);
}

const truthy = (v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';

/** The register entry's configuration, from TERRA_* environment variables (see docs/cli.md). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): TerraConfig {
  return {
    mode: parseMode(env.TERRA_MODE || 'terra', 'TERRA_MODE'),
    stats: truthy(env.TERRA_STATS),
    statsJson: env.TERRA_STATS_JSON || undefined,
    dump: env.TERRA_DUMP || undefined,
    instrument: (env.TERRA_INSTRUMENT || '').split(',').map((s) => s.trim()).filter(Boolean),
    root: env.TERRA_ROOT || undefined,
    ep: env.TERRA_EP || 'cpu',
    stableAfter: env.TERRA_STABLE_AFTER ? parseCount(env.TERRA_STABLE_AFTER, 'TERRA_STABLE_AFTER') : undefined,
    check: truthy(env.TERRA_CHECK),
    cache: env.TERRA_CACHE === undefined || truthy(env.TERRA_CACHE),
    cacheDir: env.TERRA_CACHE_DIR || undefined,
    cacheMaxMb: env.TERRA_CACHE_MAX_MB ? parseCount(env.TERRA_CACHE_MAX_MB, 'TERRA_CACHE_MAX_MB') : undefined,
    progress: env.TERRA_PROGRESS === undefined || truthy(env.TERRA_PROGRESS) ? 'auto' : 'never',
    segmentOptimization: env.TERRA_SEGMENT_OPTIMIZATION
      ? parseSegmentOptimization(env.TERRA_SEGMENT_OPTIMIZATION, 'TERRA_SEGMENT_OPTIMIZATION') : undefined,
  };
}

/** A positive integer option value. */
export function parseCount(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`invalid ${what} '${value}' (expected a positive integer)`);
  return n;
}
