// TERRA_STATIC_LIMIT=<file> (docs/static-limit.md): terra run records a co-executed iteration and writes its
// static limit at exit; outside co-execution the file says why there is none. The program's own output
// is unchanged.
import * as fs from 'fs';
import * as path from 'path';
import { scratch, terra } from './helpers';

const PROGRAM = `
const tf = require('@tensorflow/tfjs');
const w = tf.variable(tf.tensor2d([[0.5, -0.25], [0.125, 1], [0.3, 0.2]]));
const x = tf.tensor2d([[1, 2, 3], [3, 4, 5], [5, 6, 7], [1, 0, 1]]);
const opt = tf.train.sgd(0.01);
for (let i = 0; i < 12; i++) {
  const loss = opt.minimize(() => tf.mean(tf.square(tf.matMul(x, w))), true);
  console.log('step ' + i + ' loss ' + loss.dataSync()[0].toFixed(5));
  loss.dispose();
}
`;

let dir: string;
beforeAll(() => {
  dir = scratch({ 'loop.js': PROGRAM });
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('terra run writes the static limit of a co-executed iteration at exit', () => {
  const file = path.join(dir, 'limit.json');
  const plain = terra(dir, ['run', 'loop.js']);
  const r = terra(dir, ['run', 'loop.js'], { TERRA_STATIC_LIMIT: file });
  expect(r.status).toBe(0);
  expect(r.stdout).toBe(plain.stdout);
  const limit = JSON.parse(fs.readFileSync(file, 'utf8'));
  expect(limit.error).toBeUndefined();
  expect(limit.msPerIteration).toBeGreaterThan(0);
  expect(limit.samples).toHaveLength(7);
  expect(limit.runs.length).toBeGreaterThan(0);
  expect(limit.runs.flatMap((run: { inputs: Array<{ shape: number[] }> }) => run.inputs.map((i) => i.shape))).toContainEqual([3, 2]);
  expect(limit.delegated).toBeGreaterThan(0);
  expect(limit.inputs).toBe('recorded');
});

test('outside co-execution the file says why there is no static limit', () => {
  const file = path.join(dir, 'eager-limit.json');
  const r = terra(dir, ['run', '--mode', 'eager', 'loop.js'], { TERRA_STATIC_LIMIT: file });
  expect(r.status).toBe(0);
  expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ error: expect.stringContaining('--mode eager') });
});
