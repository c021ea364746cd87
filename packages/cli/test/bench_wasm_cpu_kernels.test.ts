// The bench's tfjs wasm baseline (bench/lib/wasm_cpu_kernels.js): the kernels tfjs-backend-wasm lacks run as
// tfjs-backend-cpu's, with the values tfjs cpu gives, and the ones that ran are listed. Its own process:
// the preload registers kernels in tfjs's global registry and initializes the wasm backend.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO = path.resolve(__dirname, '../../..');
const PRELOAD = path.join(REPO, 'bench/lib/wasm_cpu_kernels.js');

// Gradients wasm has no kernel for (Conv2DBackpropFilter, UnsortedSegmentSum via gather's gradient), next to
// kernels it has (Conv2D, MatMul): each value computed on wasm and on cpu.
const PROGRAM = `
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
function compute() {
  return tf.tidy(() => {
    const x = tf.tensor4d(Array.from({ length: 2 * 5 * 5 * 3 }, (_, i) => Math.sin(i)), [2, 5, 5, 3]);
    const w = tf.tensor4d(Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i)), [3, 3, 3, 4]);
    const table = tf.tensor2d(Array.from({ length: 6 * 4 }, (_, i) => i / 7), [6, 4]);
    const ids = tf.tensor1d([0, 2, 2, 5, 0], 'int32');
    const [gw, gt] = tf.grads((w, table) => tf.conv2d(x, w, 1, 'same').sum().add(tf.gather(table, ids).square().sum()))([w, table]);
    const [gx] = tf.grads((x) => tf.conv2d(x, w, 1, 'valid').square().sum())([x]);
    return [gw, gt, gx].map((t) => Array.from(t.dataSync()));
  });
}
(async () => {
  await tf.setBackend('cpu');
  const cpu = compute();
  await tf.setBackend('wasm');
  const wasm = compute();
  let worst = 0;
  cpu.forEach((values, i) => values.forEach((v, j) => { worst = Math.max(worst, Math.abs(v - wasm[i][j]) / (1 + Math.abs(v))); }));
  console.log(JSON.stringify({ worst, sizes: wasm.map((v) => v.length), tensors: tf.memory().numTensors }));
})();
`;

describe('bench: tfjs wasm with tfjs cpu kernels for the ones it lacks', () => {
  it('computes what tfjs cpu computes and lists the borrowed kernels that ran', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terra-wasm-cpu-'));
    const file = path.join(dir, 'used');
    try {
      const run = spawnSync(process.execPath, ['-r', PRELOAD, '-e', PROGRAM], {
        cwd: REPO, env: { ...process.env, BENCH_WASM_CPU_KERNELS_FILE: file }, encoding: 'utf8', timeout: 60000,
      });
      expect(run.stderr).not.toMatch(/Error/);
      expect(run.status).toBe(0);
      const out = JSON.parse(run.stdout);
      expect(out.sizes).toEqual([3 * 3 * 3 * 4, 6 * 4, 2 * 5 * 5 * 3]);
      expect(out.worst).toBeLessThan(1e-5);
      expect(out.tensors).toBe(0);
      const used = fs.readFileSync(file, 'utf8').split('\n');
      expect(used).toEqual(expect.arrayContaining(['Conv2DBackpropFilter', 'UnsortedSegmentSum']));
      // Kernels wasm has stay its own.
      expect(used).not.toContain('Conv2D');
      expect(used).not.toContain('Conv2DBackpropInput');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails as shipped without it (what the preload is for)', () => {
    const run = spawnSync(process.execPath, ['-e', PROGRAM], { cwd: REPO, encoding: 'utf8', timeout: 60000 });
    expect(`${run.stdout}${run.stderr}`).toMatch(/not registered|UnsortedSegmentSum|Conv2DBackpropFilter/);
  });
});
