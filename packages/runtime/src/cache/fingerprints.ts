/**
 * What a cache entry's key must include besides its content, so that an entry is never used by code
 * or an ONNX Runtime that would have produced something else.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

let ort: string | undefined;

/**
 * ORT's optimized model at the highest level may hold hardware-specific rewrites (NCHWc layouts,
 * fused kernels for the CPU's instruction set), so the entry is for this ORT build on this kind of CPU.
 */
export function ortFingerprint(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ort ??= `onnxruntime-node ${(require('onnxruntime-node/package.json') as { version: string }).version} ` +
    `${process.platform}-${process.arch} ${os.cpus()[0]?.model ?? 'unknown cpu'}`;
  return ort;
}

let generator: string | undefined;

/**
 * Generated segments depend on the lowering table, the ONNX builder and segment generation: any
 * change to the runtime's code (another version, a local edit) gives other keys. The runtime's own
 * code files (dist or, under tests, src) are hashed once per process, by the GraphRunner worker when it
 * starts (see Executor), off the JS thread.
 */
export function generatorFingerprint(): string {
  if (generator !== undefined) return generator;
  const root = path.resolve(__dirname, '..');
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (fs.statSync(file).isDirectory()) walk(file);
      else if (/\.(js|ts)$/.test(name) && !name.endsWith('.d.ts')) h.update(`${path.relative(root, file)}\0`).update(fs.readFileSync(file));
    }
  };
  walk(root);
  generator = `terra generator ${h.digest('hex')}`;
  return generator;
}
