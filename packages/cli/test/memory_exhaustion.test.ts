// Memory really exhausted, through `terra run`: with the address space capped (ulimit -v), a training
// loop makes one batch so large that its Gram matrix (60000 x 60000 float32, 14.4 GB) cannot be
// allocated, catches the error and trains on. Co-executed, that step is a new path (a new shape): it
// falls back to eager, fails as eager fails, and the program goes on co-executing. The output (every
// loss, the error, the final weights, the tensor count) equals eager execution's. The allocation
// failing inside a compiled segment is graph_runner/allocation_failure.test.ts (ORT's failure is a
// failed run) plus the failed-run recovery of coexec_fault_injection.test.ts.
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { TERRA, scratch } from './helpers';

const SCRIPT = `
const tf = require('@tensorflow/tfjs');
let seed = 7;
const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) - 0.5;
const w = tf.variable(tf.tensor2d(Array.from({ length: 64 * 16 }, rand), [64, 16]));
const opt = tf.train.adam(0.01);
for (let step = 0; step < 24; step++) {
  const n = step === 14 ? 60000 : 32;
  const x = tf.tensor2d(Float32Array.from({ length: n * 64 }, rand), [n, 64]);
  try {
    const loss = opt.minimize(() => {
      const h = tf.matMul(x, w);
      return tf.mean(tf.matMul(h, h, false, true));
    }, true);
    console.log('step', step, 'loss', loss.dataSync()[0].toFixed(5));
    loss.dispose();
  } catch (e) {
    console.log('step', step, 'failed:', e.constructor.name, e.message);
  }
  x.dispose();
}
console.log('w', Array.from(w.dataSync()).map((v) => v.toFixed(5)).join(' '), 'tensors', tf.memory().numTensors);
`;

let dir: string;
beforeAll(() => {
  dir = scratch({ 'oom.js': SCRIPT });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function capped(mode: string) {
  const stats = path.join(dir, `stats-${mode}.json`);
  // 6 GB of address space: the run needs far less, the Gram matrix far more.
  const r = spawnSync('bash', ['-c', `ulimit -v 6000000 && exec "${process.execPath}" "${TERRA}" run --mode ${mode} --stats-json stats-${mode}.json oom.js`], {
    cwd: dir, encoding: 'utf8', timeout: 120000,
  });
  return { ...r, stats: JSON.parse(fs.readFileSync(stats, 'utf8')) };
}

test('a step that exhausts memory (for real, under ulimit -v) fails as in eager; everything else is co-executed and equal', () => {
  const eager = capped('eager');
  const terra = capped('terra');
  expect(eager.status).toBe(0);
  expect(eager.stdout).toMatch(/step 14 failed: RangeError/);
  expect(terra.stderr).not.toMatch(/terminate called|Aborted/);
  expect(terra.status).toBe(0);
  expect(terra.stdout).toBe(eager.stdout);
  expect(terra.stats.iterations.coexecuted).toBeGreaterThan(10);
});
