/**
 * A segment that exhausts memory, for real: a child process whose address space is capped (ulimit -v)
 * runs a Gram-matrix segment with symbolic dimensions, first on a small input, then on one whose
 * output (60000 x 60000 float32, 14.4 GB) cannot be allocated, then small again. ONNX Runtime's
 * allocation failure must reach JS as a failed run (a GraphValueError on the read, the worker alive),
 * which is the fault co-execution's recovery handles (coexec_fault_injection.test.ts injects exactly
 * that), and the next run must succeed.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const dist = (p: string) => require.resolve(`@terrajs/runtime/dist/${p}`, { paths: [__dirname] });

const child = `
const { GraphRunner, GraphValueError } = require(${JSON.stringify(dist('graph_runner/index.js'))});
const { GraphBuilder } = require(${JSON.stringify(dist('onnx/graph_builder.js'))});
const g = new GraphBuilder('gram');
const x = g.input('float32', 2);
g.output(g.op('ReduceMean', [g.op('Gemm', [x, x], { transB: 1 }, { dtype: 'float32', rank: 2 })], { keepdims: 0 }, { dtype: 'float32', rank: 0 }));
const runner = new GraphRunner({ intraOpNumThreads: 1 });
const compiled = runner.compileSync('gram', g.build());
if (compiled.error) throw new Error(compiled.error);
function gram(n) {
  const input = runner.newId();
  runner.feed(input, 'float32', [n, 64], new Float32Array(n * 64).fill(0.5));
  const out = runner.newId();
  runner.run('gram', [input], [out]);
  try {
    return 'value ' + runner.readSync(out).data[0];
  } catch (e) {
    return (e instanceof GraphValueError ? 'GraphValueError: ' : 'other: ') + e.message;
  }
}
for (const n of [8, 60000, 8]) console.log(n + ' ' + gram(n));
console.log('alive ' + runner.alive);
runner.terminate();
`;

test('an allocation ONNX Runtime cannot make fails that run only: the read says so, the worker lives, the next run succeeds', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terra-oom-'));
  try {
    fs.writeFileSync(path.join(dir, 'child.js'), child);
    // 6 GB of address space: Node and ONNX Runtime start in far less; the 14.4 GB output cannot fit.
    const r = spawnSync('bash', ['-c', `ulimit -v 6000000 && exec "${process.execPath}" child.js`], {
      cwd: dir, encoding: 'utf8', timeout: 120000,
    });
    expect(r.stderr).not.toMatch(/terminate called|Aborted/);
    expect(r.status).toBe(0);
    // ORT's message ends with a newline of its own.
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines[0]).toBe('8 value 16');
    expect(lines[1]).toMatch(/^60000 GraphValueError: segment 'gram' failed in ONNX Runtime: .*(alloc|memory)/i);
    expect(lines[2]).toBe('8 value 16');
    expect(lines[3]).toBe('alive true');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
