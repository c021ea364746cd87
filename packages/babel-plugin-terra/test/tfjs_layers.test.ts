// (b) Real code: @tensorflow/tfjs-layers' CommonJS bundle from node_modules, instrumented with the plugin (through
// the register entry's --instrument), trains a small model on seeded data with the same losses as uninstrumented.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO = path.resolve(__dirname, '../../..');

const SCRIPT = `
const tf = require('@tensorflow/tfjs');
const instrumented = process.env.TERRA_INSTRUMENT !== undefined;
let layerIterations = 0, layerBranches = 0;
if (instrumented) {
  // a listener, as the tracer will subscribe: count events from inside tfjs-layers
  require('@terrajs/runtime/dist/hooks/index.js').subscribe({
    iteration(id) { if (id.startsWith('node_modules/@tensorflow/tfjs-layers/')) layerIterations++; },
    branch(id) { if (id.startsWith('node_modules/@tensorflow/tfjs-layers/')) layerBranches++; },
  });
}
async function main() {
  await tf.setBackend('cpu');
  let s = 42;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const n = 64, f = 8, xs = [], ys = [];
  for (let i = 0; i < n; i++) { let t = 0; for (let j = 0; j < f; j++) { const v = rand() - 0.5; xs.push(v); t += v * ((j % 3) - 1); } ys.push(t > 0 ? 1 : 0); }
  const x = tf.tensor2d(xs, [n, f]), y = tf.tensor2d(ys, [n, 1]);
  const model = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [f], units: 16, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
    tf.layers.dropout({ rate: 0 }),
    tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }) ] });
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const h = await model.fit(x, y, { epochs: 4, batchSize: 16, shuffle: false, verbose: 0, validationSplit: 0.25 });
  const evalOut = model.evaluate(x, y).map((t) => t.dataSync()[0]);
  console.log(JSON.stringify({ history: h.history, evalOut, summary: model.layers.map((l) => l.name + ':' + l.countParams()) }));
  const layersFile = Object.keys(require.cache).find((k) => k.includes('tfjs-layers'));
  console.error(JSON.stringify({ layersFile: layersFile && path.basename(layersFile), layerIterations, layerBranches }));
}
const path = require('path');
main();
`;

test('tfjs-layers instrumented from node_modules trains exactly as uninstrumented', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terra-layers-'));
  try {
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    fs.writeFileSync(path.join(dir, 'fit.js'), SCRIPT);
    const run = (args: string[], env: Record<string, string>) => {
      const r = spawnSync(process.execPath, [...args, 'fit.js'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120000 });
      expect(r.status).toBe(0);
      return r;
    };
    const plain = run([], {});
    const instr = run(['-r', '@terrajs/cli/register'], { TERRA_MODE: 'cpu', TERRA_INSTRUMENT: '@tensorflow/tfjs-layers' });
    expect(instr.stdout).toBe(plain.stdout);
    const result = JSON.parse(plain.stdout);
    expect(result.history.loss).toHaveLength(4);
    expect(result.history.loss[3]).toBeLessThan(result.history.loss[0]);
    const info = JSON.parse(instr.stderr.trim().split('\n').filter((l) => l.startsWith('{')).pop()!);
    expect(info.layersFile).toBe('tf-layers.node.js');
    // the hooks inside tfjs-layers ran: its loops and branches reported to the listener
    expect(info.layerIterations).toBeGreaterThan(100);
    expect(info.layerBranches).toBeGreaterThan(100);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
