// The compiled-graph cache through `terra run`: the second run of a program compiles nothing (every
// segment generated and, at an optimization level, every session loaded from the cache), gives the same
// output as an uncached run, and corrupt or truncated entries, or two processes filling one cache at once,
// change nothing but the counters. Compile times are printed, never asserted (the machine is shared).
// The segments are optimized ('basic') here, so that both kinds of entries are exercised, except in the
// test of the default.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { defaultCacheDir } from '../src/compile_cache';
import { REPO, Run, TERRA, scratch, terra } from './helpers';

interface Stats {
  segments: { compiled: number };
  timings: { compileMs: number; generateMs: number; sessionMs: number };
  cache?: { dir: string; generatedHits: number; generatedMisses: number; sessionHits: number; sessionMisses: number; corrupt: number; writes: number };
}

let dir: string;
beforeAll(() => {
  dir = scratch({ 'train.js': fs.readFileSync(path.join(REPO, 'fixtures/mlp/train.js'), 'utf8') });
});

const STEPS = '8';
let runs = 0;
function train(cacheArgs: string[], optimization = 'basic'): { run: Run; stats: Stats } {
  const json = path.join(dir, `stats${runs++}.json`);
  const run = terra(dir, ['run', ...cacheArgs, '--segment-optimization', optimization, '--stats', '--stats-json', json, 'train.js', STEPS]);
  if (run.status !== 0) throw new Error(`terra run failed (${run.status}):\n${run.stderr}`);
  return { run, stats: JSON.parse(fs.readFileSync(json, 'utf8')) as Stats };
}

const entryFiles = (cache: string) => fs.readdirSync(cache).filter((n) => n.endsWith('.bin')).map((n) => path.join(cache, n));
const newCache = () => fs.mkdtempSync(path.join(os.tmpdir(), 'terra-cache-'));
const show = (label: string, s: Stats) => `${label}: compile ${s.timings.compileMs.toFixed(1)} ms ` +
  `(generation ${s.timings.generateMs.toFixed(1)}, sessions ${s.timings.sessionMs.toFixed(1)})`;

test('a second run compiles nothing, and prints what an uncached run prints', () => {
  const cache = newCache();
  const uncached = train(['--no-cache']);
  expect(uncached.stats.cache).toBeUndefined();
  const first = train(['--cache-dir', cache]);
  const second = train(['--cache-dir', cache]);
  const n = first.stats.segments.compiled;
  expect(n).toBeGreaterThan(0);
  // Segments whose generated models are identical share one session entry.
  expect(first.stats.cache).toMatchObject({ dir: cache, generatedHits: 0, generatedMisses: n, sessionHits: 0, corrupt: 0 });
  expect(first.stats.cache!.writes).toBe(n + first.stats.cache!.sessionMisses);
  expect(second.stats.segments.compiled).toBe(n);
  expect(second.stats.cache).toMatchObject({ generatedHits: n, generatedMisses: 0, sessionHits: n, sessionMisses: 0, writes: 0 });
  // Differential: the losses and the accuracy printed agree to the last digit.
  expect(first.run.stdout).toBe(uncached.run.stdout);
  expect(second.run.stdout).toBe(uncached.run.stdout);
  console.log([show('uncached', uncached.stats), show('first (filling the cache)', first.stats), show('second (from the cache)', second.stats)].join('\n'));
  // --stats says it in words.
  expect(second.run.stderr).toMatch(new RegExp(`cache: ${n} of ${n} segments generated from cache, ${n} of ${n} sessions loaded optimized`));
});

test('unoptimized segments (the default): a second run generates nothing, and no optimized model is stored', () => {
  const cache = newCache();
  const uncached = train(['--no-cache'], 'disabled');
  const first = train(['--cache-dir', cache], 'disabled');
  const second = train(['--cache-dir', cache], 'disabled');
  const n = first.stats.segments.compiled;
  expect(n).toBeGreaterThan(0);
  expect(first.stats.cache).toMatchObject({ generatedHits: 0, generatedMisses: n, sessionHits: 0, sessionMisses: 0, writes: n, corrupt: 0 });
  expect(entryFiles(cache).map((f) => path.basename(f).split('-')[0])).toEqual(Array(n).fill('seg'));
  expect(second.stats.cache).toMatchObject({ generatedHits: n, generatedMisses: 0, sessionHits: 0, sessionMisses: 0, writes: 0 });
  expect(first.run.stdout).toBe(uncached.run.stdout);
  expect(second.run.stdout).toBe(uncached.run.stdout);
  expect(second.run.stderr).toMatch(new RegExp(`cache: ${n} of ${n} segments generated from cache \\(generation`));
});

test('corrupt and truncated entries are ignored and rebuilt', () => {
  const cache = newCache();
  const good = train(['--cache-dir', cache]);
  const files = entryFiles(cache);
  files.forEach((f, i) => {
    if (i % 2) {
      fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2));
    } else {
      const b = fs.readFileSync(f);
      b[b.length >> 1] ^= 0x5a;
      fs.writeFileSync(f, b);
    }
  });
  const damaged = train(['--cache-dir', cache]);
  const n = good.stats.segments.compiled;
  expect(damaged.stats.cache).toMatchObject({ corrupt: files.length, generatedMisses: n, sessionHits: 0, writes: files.length });
  expect(damaged.run.stdout).toBe(good.run.stdout);
  expect(damaged.run.stderr).toMatch(`${files.length} corrupt entries ignored and rebuilt`);
  expect(train(['--cache-dir', cache]).stats.cache).toMatchObject({ corrupt: 0, generatedHits: n, sessionHits: n });
});

test('two processes filling one cache at once both run correctly, and leave whole entries', async () => {
  const cache = newCache();
  const once = () => new Promise<{ status: number | null; stdout: string }>((resolve) => {
    const p = spawn(process.execPath, [TERRA, 'run', '--cache-dir', cache, '--segment-optimization', 'basic', 'train.js', STEPS], { cwd: dir });
    let stdout = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d; });
    p.on('close', (status) => resolve({ status, stdout }));
  });
  const [a, b] = await Promise.all([once(), once()]);
  expect(a.status).toBe(0);
  expect(b.status).toBe(0);
  expect(a.stdout).toBe(b.stdout);
  const after = train(['--cache-dir', cache]);
  const n = after.stats.segments.compiled;
  expect(after.stats.cache).toMatchObject({ corrupt: 0, generatedHits: n, sessionHits: n });
  expect(fs.readdirSync(cache).filter((f) => !f.endsWith('.bin'))).toEqual([]); // no temporary file left behind
});

test('TERRA_CACHE_DIR moves the cache of the register entry; TERRA_CACHE=0 turns it off', () => {
  const cache = newCache();
  const json = path.join(dir, 'register.json');
  const env = { TERRA_CACHE_DIR: cache, TERRA_STATS_JSON: json };
  const reg = (extra: Record<string, string>) => {
    const run = spawnSync(process.execPath, ['-r', '@terrajs/cli/register', 'train.js', STEPS],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env, ...extra } });
    expect(run.status).toBe(0);
    return JSON.parse(fs.readFileSync(json, 'utf8')) as Stats;
  };
  expect(reg({}).cache?.dir).toBe(cache);
  expect(entryFiles(cache).length).toBeGreaterThan(0);
  expect(reg({ TERRA_CACHE: '0' }).cache).toBeUndefined();
});

test('the default cache is under the project root node_modules/.cache, else the user cache directory', () => {
  const project = newCache();
  fs.mkdirSync(path.join(project, 'node_modules'));
  expect(defaultCacheDir(project)).toBe(path.join(project, 'node_modules', '.cache', 'terra'));
  const bare = newCache();
  expect(defaultCacheDir(bare, { XDG_CACHE_HOME: '/somewhere/cache' })).toBe(
    process.platform === 'linux' ? '/somewhere/cache/terra' : defaultCacheDir(bare, {}));
  const r = terra(dir, ['run', '--stats-json', path.join(dir, 'default.json'), 'train.js', '2']);
  expect(r.status).toBe(0);
  const stats = JSON.parse(fs.readFileSync(path.join(dir, 'default.json'), 'utf8')) as Stats;
  expect(stats.cache?.dir).toBe(path.join(dir, 'node_modules', '.cache', 'terra'));
});
