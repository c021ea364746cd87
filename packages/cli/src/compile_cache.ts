/**
 * Where the compiled-graph cache lives for a run (docs/cache.md): `--cache-dir` / TERRA_CACHE_DIR, else
 * `<project root>/node_modules/.cache/terra` (the convention of babel-loader, eslint and others: removed
 * with node_modules, ignored by git), else the user's cache directory when the project has no
 * node_modules (a script outside any npm project).
 */
import * as os from 'os';
import * as path from 'path';
import * as fs from 'fs';
import type { TerraConfig } from './config';

export function defaultCacheDir(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const modules = path.join(root, 'node_modules');
  if (fs.existsSync(modules)) return path.join(modules, '.cache', 'terra');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return path.join(env.LOCALAPPDATA, 'terra', 'Cache');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'terra');
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'terra');
}

/** The cache options for coexecution.start, or none when the cache is off or the mode does not compile. */
export function cacheCoexecOptions(config: TerraConfig): { cache?: { dir: string; maxBytes?: number } } {
  if (!config.cache) return {};
  const dir = path.resolve(config.cacheDir ?? defaultCacheDir(config.root ?? process.cwd()));
  return { cache: { dir, ...(config.cacheMaxMb ? { maxBytes: config.cacheMaxMb * 1024 * 1024 } : {}) } };
}

/** The runtime's compiled-graph cache counters (coexec/segment_compiler.ts), as --stats-json gives them. */
export interface CacheReport {
  dir: string; maxBytes: number; generatedHits: number; generatedMisses: number; sessionHits: number; sessionMisses: number;
  corrupt: number; writes: number; writeErrors: number; evicted: number;
}

/** The --stats line about the cache. */
export function cacheLine(c: CacheReport, t: { generateMs: number; sessionMs: number }): string {
  const segments = c.generatedHits + c.generatedMisses;
  const trouble = [
    c.corrupt ? `${c.corrupt} corrupt entries ignored and rebuilt` : '',
    c.evicted ? `${c.evicted} evicted` : '',
    c.writeErrors ? `${c.writeErrors} could not be written` : '',
  ].filter(Boolean).join(', ');
  // Unoptimized segments (the default) have no optimized models to look up.
  const sessions = c.sessionHits + c.sessionMisses;
  const optimized = sessions > 0 ? `, ${c.sessionHits} of ${sessions} sessions loaded optimized` : '';
  return `  cache: ${c.generatedHits} of ${segments} segments generated from cache${optimized} ` +
    `(generation ${t.generateMs.toFixed(1)} ms, sessions ${t.sessionMs.toFixed(1)} ms); ${c.writes} entries written` +
    `${trouble ? `, ${trouble}` : ''} in ${c.dir}`;
}
