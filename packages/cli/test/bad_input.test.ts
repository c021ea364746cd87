// Bad input for `terra run` and the register entry, beyond cli.test.ts (unknown options and commands,
// a missing script, a bad mode, a syntax error in the main script): an unreadable script, a syntax error
// in a required file, bad TERRA_* variables, an unsupported Node.js, a script that calls process.exit in
// the middle of a co-executed step, and scripts that never complete an iteration.
import * as fs from 'fs';
import * as path from 'path';
import { spawn, spawnSync } from 'child_process';
import { unsupportedNode } from '../src/node_version';
import { Run, TERRA, node, scratch, terra } from './helpers';

const TRAIN = (exitAt: string) => `
const tf = require('@tensorflow/tfjs');
const w = tf.variable(tf.fill([16, 16], 0.05));
const x = tf.ones([8, 16]);
const opt = tf.train.adam(0.01);
async function main() {
  for (let i = 0; i < 40; i++) {
    const loss = opt.minimize(() => {
      const h = tf.tanh(tf.matMul(x, w));
      ${exitAt}
      return tf.mean(tf.square(tf.matMul(h, w)));
    }, true);
    if (i % 5 === 0) console.log('loss', i, loss.dataSync()[0].toFixed(6));
    loss.dispose();
  }
}
main();
`;

let dir: string;
beforeAll(() => {
  dir = scratch({
    'prog.js': `const tf = require('@tensorflow/tfjs');\nconsole.log('sum', tf.sum(tf.ones([3])).dataSync()[0]);\n`,
    'lib.js': `module.exports = function ( { return 1; };\n`,
    'uses_bad.js': `const f = require('./lib');\nconsole.log(f());\n`,
    'catches_bad.js': `try { require('./lib'); } catch (e) { console.log(e instanceof SyntaxError, e.message.split('\\n')[0]); }\n`,
    'old_node.js': `Object.defineProperty(process.versions, 'node', { value: '18.19.1' });\n`,
    // process.exit in the middle of a step (its segment dispatched ahead, half claimed), and between steps.
    'exit_mid_step.js': TRAIN(`if (i === 27) { console.log('exiting'); process.exit(4); }`),
    // process.exit from the then() of an async read, while the next step is already dispatched ahead.
    'exit_after_read.js': TRAIN('').replace('loss.dispose();', `if (i === 31) {
      const next = opt.minimize(() => tf.mean(tf.square(tf.matMul(x, w))), true);
      loss.data().then(() => { console.log('exiting'); process.exit(5); });
      await new Promise((resolve) => setTimeout(resolve, 3000));
      next.dispose();
    }
    loss.dispose();`),
    // A long first compile (60 layers: the step's segment has about 600 kernels), then steps forever.
    'long_compile.js': `
const tf = require('@tensorflow/tfjs');
const ws = Array.from({ length: 60 }, () => tf.variable(tf.fill([32, 32], 0.01)));
const x = tf.ones([4, 32]);
const opt = tf.train.sgd(0.001);
for (let i = 0; i < 1e6; i++) {
  if (i === 2) console.log('compiling');
  const loss = opt.minimize(() => { let h = x; for (const w of ws) h = tf.tanh(tf.matMul(h, w)); return tf.mean(h); }, true);
  loss.dataSync();
  loss.dispose();
}
`,
    'straight.js': `
const tf = require('@tensorflow/tfjs');
const w = tf.tensor2d([[0.5, -1], [2, 0.25]]);
let h = tf.tensor2d([[1, 2]]);
h = tf.relu(tf.matMul(h, w));
h = tf.tanh(tf.matMul(h, w));
console.log('out', Array.from(h.dataSync()).map((v) => v.toFixed(6)).join(','));
`,
    'one_iteration.js': `
const tf = require('@tensorflow/tfjs');
const w = tf.variable(tf.fill([4, 4], 0.1));
const opt = tf.train.sgd(0.1);
for (let epoch = 0; epoch < 1; epoch++) {
  const h = tf.tanh(tf.matMul(tf.ones([2, 4]), w));
  console.log('h', h.sum().dataSync()[0].toFixed(6));
}
console.log('w', w.sum().dataSync()[0].toFixed(6));
`,
  });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const register = (script: string, env: Record<string, string> = {}, pre: string[] = []): Run =>
  node(dir, [...pre, '-r', '@terrajs/cli/register', script], env);

describe('an unreadable script: one line, exit code 2', () => {
  // root reads a file whatever its mode: run as nobody then (the scratch directory is opened to it).
  const asUser = (args: string[]): Run => {
    fs.chmodSync(dir, 0o755);
    const root = process.getuid?.() === 0;
    const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: 120000, ...(root ? { uid: 65534, gid: 65534 } : {}) });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  // nobody must reach the checkout to run Terra at all: a clone under a private directory (mktemp -d is
  // mode 700) gets search permission on its ancestors for these tests, restored afterwards.
  const opened: Array<[string, number]> = [];
  beforeAll(() => {
    fs.copyFileSync(path.join(dir, 'prog.js'), path.join(dir, 'secret.js'));
    fs.chmodSync(path.join(dir, 'secret.js'), 0o000);
    if (process.getuid?.() !== 0) return;
    for (let d = path.dirname(TERRA); d !== path.dirname(d); d = path.dirname(d)) {
      const mode = fs.statSync(d).mode & 0o7777;
      if ((mode & 0o001) === 0) {
        opened.push([d, mode]);
        fs.chmodSync(d, mode | 0o001);
      }
    }
  });
  afterAll(() => {
    for (const [d, mode] of opened) fs.chmodSync(d, mode);
  });

  test('terra run', () => {
    const r = asUser([TERRA, 'run', 'secret.js']);
    expect(r.stderr).toBe("terra: cannot read script 'secret.js': permission denied\n");
    expect(r.status).toBe(2);
  });

  test('the register entry', () => {
    const r = asUser(['-r', '@terrajs/cli/register', 'secret.js']);
    expect(r.stderr).toBe(`terra: cannot read script '${path.join(dir, 'secret.js')}': permission denied\n`);
    expect(r.status).toBe(2);
  });

  test('a mode-000 file root can read still runs for root (the OS decides, not the mode bits)', () => {
    if (process.getuid?.() !== 0) return;
    const r = terra(dir, ['run', '--mode', 'cpu', 'secret.js']);
    expect(r.stdout).toBe('sum 3\n');
    expect(r.status).toBe(0);
  });
});

describe('a syntax error in a required file reads like Node\'s own', () => {
  const FIRST = (file: string) => `SyntaxError: ${file}:1:31: Unexpected keyword 'return'.`;
  test.each([
    ['terra run', () => terra(dir, ['run', '--mode', 'cpu', 'uses_bad.js'])],
    ['the register entry', () => register('uses_bad.js', { TERRA_MODE: 'cpu' })],
  ])('%s: position, reason and code frame, the program\'s own frames, exit code 1', (_name, run) => {
    const r = (run as () => Run)();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(FIRST(path.join(dir, 'lib.js')));
    expect(r.stderr).toContain("> 1 | module.exports = function ( { return 1; };");
    expect(r.stderr).toContain(`at Object.<anonymous> (${path.join(dir, 'uses_bad.js')}:1:11)`);
    expect(r.stderr).not.toMatch(/@babel|gensync/);
  });

  test('the program can catch it as a SyntaxError', () => {
    const r = terra(dir, ['run', '--mode', 'cpu', 'catches_bad.js']);
    expect(r.stdout).toBe(`true ${path.join(dir, 'lib.js')}:1:31: Unexpected keyword 'return'.\n`);
    expect(r.status).toBe(0);
  });
});

describe('bad TERRA_* variables for the register entry: one line, exit code 2', () => {
  test.each([
    [{ TERRA_MODE: 'fast' }, /^terra: invalid TERRA_MODE 'fast' \(expected one of terra, eager, static, cpu, wasm\)\n$/],
    [{ TERRA_CACHE_MAX_MB: 'lots' }, /^terra: invalid TERRA_CACHE_MAX_MB 'lots' \(expected a positive integer\)\n$/],
    [{ TERRA_STABLE_AFTER: 'zero' }, /^terra: invalid TERRA_STABLE_AFTER 'zero' \(expected a positive integer\)\n$/],
  ])('%j', (env, expected) => {
    const r = register('prog.js', env as Record<string, string>);
    expect(r.stderr).toMatch(expected);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(2);
  });
});

describe('an unsupported Node.js: one line, exit code 1, nothing run', () => {
  test('the check', () => {
    expect(unsupportedNode('18.19.1')).toBe('Node.js 18.19.1 is not supported: terra needs Node.js 20 or later');
    expect(unsupportedNode('16.0.0')).toBeDefined();
    expect(unsupportedNode('20.0.0')).toBeUndefined();
    expect(unsupportedNode('22.11.0')).toBeUndefined();
  });
  test.each([
    ['terra run', () => node(dir, ['-r', './old_node.js', TERRA, 'run', 'prog.js'])],
    ['the register entry', () => register('prog.js', {}, ['-r', './old_node.js'])],
  ])('%s', (_name, run) => {
    const r = (run as () => Run)();
    expect(r.stderr).toBe('terra: Node.js 18.19.1 is not supported: terra needs Node.js 20 or later\n');
    expect(r.stdout).toBe('');
    expect(r.status).toBe(1);
  });
});

describe('process.exit while co-executing: same output as eager up to the exit, its code, the stats written, no crash', () => {
  test.each([
    ['in the middle of a step dispatched ahead', 'exit_mid_step.js', 4],
    ['from a then() of an async read', 'exit_after_read.js', 5],
  ])('%s', (_name, script, code) => {
    const eager = terra(dir, ['run', '--mode', 'eager', script]);
    const stats = path.join(dir, `${script}.json`);
    const r = terra(dir, ['run', '--stats-json', stats, script]);
    expect(eager.status).toBe(code);
    expect(r.status).toBe(code);
    expect(r.stdout).toBe(eager.stdout);
    expect(r.stdout).toContain('exiting');
    expect(r.stderr).toBe('');
    const s = JSON.parse(fs.readFileSync(stats, 'utf8'));
    expect(s).toMatchObject({ exitCode: code, coexecution: true });
    expect(s.iterations.coexecuted).toBeGreaterThan(10);
    // The same under the register entry.
    const statsReg = path.join(dir, `${script}.register.json`);
    const rr = register(script, { TERRA_STATS_JSON: statsReg });
    expect(rr.status).toBe(code);
    expect(rr.stdout).toBe(eager.stdout);
    expect(rr.stderr).toBe('');
    expect(JSON.parse(fs.readFileSync(statsReg, 'utf8')).exitCode).toBe(code);
  });
});

describe('a script that never completes an iteration runs eagerly, correctly, and the stats say why', () => {
  test.each(['straight.js', 'one_iteration.js'])('%s', (script) => {
    const eager = terra(dir, ['run', '--mode', 'eager', script]);
    const stats = path.join(dir, `${script}.json`);
    const r = terra(dir, ['run', '--stats-json', stats, script]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(eager.stdout);
    const s = JSON.parse(fs.readFileSync(stats, 'utf8'));
    expect(s).toMatchObject({ effectiveMode: 'co-execution', coexecution: false, iterations: { total: 0 } });
    expect(s.note).toContain('no iteration boundary was found');
    expect(s.kernels.ort + s.kernels.cpu).toBeGreaterThan(3);
  });
});

describe('a signal while a segment compiles: the process ends at once, by the signal, with nothing left running', () => {
  // Terra installs no SIGINT/SIGTERM handler on purpose: JS handlers run only when the event loop turns,
  // and a synchronous training loop (or a blocking compile) never lets it, so a handler would make
  // Ctrl-C do nothing. The default disposition ends the process, its worker thread with it.
  test.each(['SIGINT', 'SIGTERM'] as const)('%s', async (signal) => {
    const child = spawn(process.execPath, [TERRA, 'run', '--stable-after', '1', 'long_compile.js'], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((resolve) => {
      let sentAt = 0;
      child.stdout.on('data', (d) => {
        stdout += d;
        if (!sentAt && stdout.includes('compiling')) {
          sentAt = Date.now();
          setTimeout(() => child.kill(signal), 50);
        }
      });
      child.on('exit', (code, sig) => resolve({ code, signal: sig, ms: Date.now() - sentAt }));
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 60000);
    const r = await exited;
    clearTimeout(guard);
    expect(stdout).toBe('compiling\n');
    expect(r.signal).toBe(signal);
    expect(r.code).toBeNull();
    expect(r.ms).toBeLessThan(10000);
    expect(stderr).toBe('');
  });
});
