// (c) the CLI end to end on a small tfjs program in every mode, on .mjs / .ts / ES-syntax .js scripts and on a
// program that requires @tensorflow/tfjs-node; (d) every bad input gives a one-line reason and exit code 2.
import * as fs from 'fs';
import * as path from 'path';
import { scratch, terra } from './helpers';

const PROGRAM = `
const tf = require('@tensorflow/tfjs');
const hooks = globalThis[Symbol.for('terrajs.hooks')];
console.log('argv ' + JSON.stringify(process.argv.slice(2)) + ' main=' + (require.main === module) + ' file=' + require('path').basename(process.argv[1]));
console.log('backend ' + tf.getBackend() + ' instrumented=' + (hooks !== undefined));
const w = tf.variable(tf.tensor2d([[0.5, -0.25], [0.125, 1]]));
const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
const opt = tf.train.sgd(0.01);
for (let i = 0; i < 3; i++) opt.minimize(() => tf.mean(tf.square(tf.matMul(x, w))));
console.log('w ' + Array.from(w.dataSync()).map((v) => v.toFixed(4)).join(','));
process.exitCode = 3;
`;

let dir: string;
beforeAll(() => {
  dir = scratch({
    'prog.js': PROGRAM,
    'esm.js': `import * as tf from '@tensorflow/tfjs';\nimport { join } from 'path';\nconsole.log('esm-js', tf.getBackend(), join('a', 'b'));\n`,
    'mod.mjs': `import * as tf from '@tensorflow/tfjs';\nconst b = await Promise.resolve(tf.getBackend());\nconsole.log('mjs', b, globalThis[Symbol.for('terrajs.hooks')] !== undefined);\n`,
    'typed.ts': `import * as tf from '@tensorflow/tfjs';\nfunction sq(x: number): number { return x * x; }\nconst n: number = 3;\nconsole.log('ts', tf.getBackend(), sq(n));\n`,
    'node.js': `
const tf = require('@tensorflow/tfjs-node');
async function main() {
  console.log('backend', tf.getBackend());
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, kernelInitializer: tf.initializers.ones() })] });
  const saved = await model.save('file://' + __dirname + '/saved');
  const loaded = await tf.loadLayersModel('file://' + __dirname + '/saved/model.json');
  const a = model.predict(tf.ones([1, 3])).dataSync(), b = loaded.predict(tf.ones([1, 3])).dataSync();
  console.log('roundtrip', saved.modelArtifactsInfo.weightDataBytes, Array.from(a).join(','), Array.from(b).join(','));
  const viaHandler = await tf.loadLayersModel(tf.io.fileSystem(__dirname + '/saved/model.json'));
  console.log('handler', viaHandler.layers.length);
  try { tf.node.decodeImage(new Uint8Array(4)); } catch (e) { console.log('tf.node:', e.message.split(';')[0]); }
}
main();
`,
    'throws.js': `function boom() {\n  const x = [1].map((v) => v + 1);\n  throw new Error('kaboom ' + x);\n}\nboom();\n`,
    'bad.js': `const a = 1;\nfunction f( {\n  return 2;\n}\n`,
    'bad.mjs': `export const = 1;\n`,
    'notes.txt': 'not a script\n',
  });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const W_EXPECTED = /^w (-?\d+\.\d{4},){3}-?\d+\.\d{4}$/m;

describe('every mode runs the program with its arguments and exit code', () => {
  const results: Record<string, string> = {};
  test.each(['terra', 'eager', 'static', 'cpu', 'wasm'])('--mode %s', (mode) => {
    const statsFile = path.join(dir, `stats-${mode}.json`);
    const r = terra(dir, ['run', '--mode', mode, '--stats', '--stats-json', statsFile, 'prog.js', 'a', '--b', '-c']);
    expect(r.status).toBe(3);
    expect(r.stdout).toContain('argv ["a","--b","-c"] main=true file=prog.js');
    expect(r.stdout).toContain(`backend ${mode === 'cpu' || mode === 'wasm' ? mode : 'terra'} instrumented=true`);
    expect(r.stdout).toMatch(W_EXPECTED);
    results[mode] = r.stdout.match(W_EXPECTED)![0];
    const stats = JSON.parse(fs.readFileSync(statsFile, 'utf8'));
    expect(stats).toMatchObject({ mode, exitCode: 3, divergences: { count: 0 } });
    expect(stats.timings.totalMs).toBeGreaterThan(0);
    expect(r.stderr).toContain(`terra stats: mode ${mode}`);
    if (mode === 'cpu' || mode === 'wasm') {
      expect(stats).toMatchObject({ effectiveMode: mode, coexecution: false, iterations: { total: 0 }, segments: { compiled: 0 } });
      expect(stats.kernels.counted).toBe(false);
      return;
    }
    expect(stats.kernels.counted).toBe(true);
    expect(stats.kernels.ort + stats.kernels.cpu).toBeGreaterThan(10);
    expect(stats.kernels.byKernel.BatchMatMul).toBeDefined();
    if (mode === 'eager') {
      expect(stats).toMatchObject({ effectiveMode: 'eager', coexecution: false, iterations: { total: 0 }, kernels: { delegated: 0 } });
    } else if (mode === 'terra') {
      // Three steps: all traced, the TraceGraph is not yet known to be stable, nothing co-executed.
      expect(stats).toMatchObject({ effectiveMode: 'co-execution', coexecution: false, iterations: { total: 3, traced: 3, coexecuted: 0 } });
      expect(stats.note).toContain('co-execution never started');
    } else {
      // Static mode records the second step and replays it in the third: the segment's first occurrence,
      // queued in the GraphRunner's worker behind its session's creation (docs/coexecution.md).
      expect(stats).toMatchObject({
        effectiveMode: 'static replay', coexecution: true, iterations: { total: 3, traced: 2, coexecuted: 1 },
        segments: { compiled: 1, runs: 1, kernelPrograms: 0 },
      });
      expect(stats.kernels.delegated).toBeGreaterThan(5);
      expect(stats.kernels.whileCompiling).toBe(0);
    }
  });
  test('all modes compute the same weights', () => {
    const values = Object.values(results);
    expect(values.length).toBe(5);
    for (const v of values) {
      const a = v.slice(2).split(',').map(Number);
      const b = values[0].slice(2).split(',').map(Number);
      a.forEach((x, i) => expect(x).toBeCloseTo(b[i], 3));
    }
  });
});

test('ES-syntax .js, .mjs (top-level await) and .ts scripts run instrumented', () => {
  const a = terra(dir, ['run', '--mode', 'cpu', 'esm.js']);
  expect(a.stdout).toContain(`esm-js cpu ${path.join('a', 'b')}`);
  expect(a.status).toBe(0);
  const b = terra(dir, ['run', '--mode', 'cpu', 'mod.mjs']);
  expect(b.stdout).toContain('mjs cpu true');
  expect(b.status).toBe(0);
  const c = terra(dir, ['run', '--mode', 'cpu', 'typed.ts']);
  expect(c.stdout).toContain('ts cpu 9');
  expect(c.status).toBe(0);
});

test('a program written for @tensorflow/tfjs-node runs on terra, file:// save and load included', () => {
  const r = terra(dir, ['run', '--mode', 'eager', 'node.js']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('backend terra');
  expect(r.stdout).toMatch(/roundtrip 32 3,3 3,3/);
  expect(r.stdout).toContain('handler 1');
  expect(r.stdout).toContain("tf.node: terra: tf.node.decodeImage is part of @tensorflow/tfjs-node's native binding");
  expect(fs.existsSync(path.join(dir, 'saved/weights.bin'))).toBe(true);
});

test('an uncaught error prints its stack at the user lines and exits non-zero', () => {
  const r = terra(dir, ['run', '--mode', 'cpu', 'throws.js']);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('Error: kaboom 2');
  expect(r.stderr).toContain(`at boom (${path.join(dir, 'throws.js')}:3:9)`);
  expect(r.stderr).toContain(`${path.join(dir, 'throws.js')}:5:1`);
});

test('--dump with a plain tfjs backend writes an index saying nothing was compiled (dumps: dump.test.ts)', () => {
  const r = terra(dir, ['run', '--mode', 'cpu', '--dump', 'dumps', 'esm.js']);
  expect(r.status).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'dumps/index.html'), 'utf8')).toContain('co-execution did not run');
});

describe('bad input: one line, exit code 2', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['unknown option', ['--bogus'], /^terra: unknown option '--bogus' \(see terra --help\)\n$/],
    ['unknown run option', ['run', '--frob', 'prog.js'], /^terra: unknown option '--frob' \(see terra --help\)\n$/],
    ['unknown command', ['frob'], /^terra: unknown command 'frob' \(see terra --help\)\n$/],
    ['missing script', ['run'], /^terra: missing script \(usage: terra run \[options\] <script> \[args\.\.\.\]\)\n$/],
    ['script not found', ['run', 'nope.js'], /^terra: cannot find script 'nope.js'\n$/],
    ['not a script', ['run', 'notes.txt'], /^terra: cannot run 'notes.txt': expected a .js, .cjs, .mjs or .ts file\n$/],
    ['bad mode', ['run', '--mode', 'fast', 'prog.js'], /^terra: invalid mode 'fast' \(expected one of terra, eager, static, cpu, wasm\)\n$/],
    ['missing option value', ['run', 'prog.js', '--mode'], /^$/],
  ];
  test.each(cases.slice(0, 7))('%s', (_name, args, expected) => {
    const r = terra(dir, args);
    expect(r.stderr).toMatch(expected);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(2);
  });

  test('syntax error: one line with the position, then a code frame', () => {
    const r = terra(dir, ['run', 'bad.js']);
    expect(r.status).toBe(2);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe(`terra: syntax error in ${path.join(dir, 'bad.js')}:3:3: Unexpected keyword 'return'.`);
    expect(r.stderr).toContain('> 3 |   return 2;');
    expect(r.stdout).toBe('');
    const m = terra(dir, ['run', 'bad.mjs']);
    expect(m.status).toBe(2);
    expect(m.stderr.split('\n')[0]).toMatch(/^terra: syntax error in .*bad\.mjs:1:14: /);
  });

  test('--help and --version succeed', () => {
    const h = terra(dir, ['--help']);
    expect(h.status).toBe(0);
    expect(h.stdout).toContain('Usage: terra');
    const rh = terra(dir, ['run', '--help']);
    expect(rh.status).toBe(0);
    expect(rh.stdout).toContain('--stats-json <file>');
    const v = terra(dir, ['--version']);
    expect(v.stdout.trim()).toBe('0.1.0');
    expect(v.status).toBe(0);
  });
});
