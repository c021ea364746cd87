/**
 * Stopping the worker while ONNX Runtime runs a segment in it: Node terminates a worker on
 * terminate() and on every process exit, and onnxruntime-node aborts the process (exit 134) if that
 * happens inside one of its calls. A program that exits while a segment still runs ahead must end
 * with its own exit code. Runs the built runtime in child processes, several times per way of ending,
 * each time while the worker is busy with a run of a segment that takes tens of milliseconds.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const dist = (p: string) => require.resolve(`@terrajs/runtime/dist/${p}`, { paths: [__dirname] });

/** The child: starts 200 runs of a slow segment, waits until the first is done, then ends as told. */
const child = `
const { GraphRunner } = require(${JSON.stringify(dist('graph_runner/graph_runner.js'))});
const { GraphBuilder } = require(${JSON.stringify(dist('onnx/graph_builder.js'))});
const g = new GraphBuilder('slow');
const x = g.input('float32', 2, [256, 256]);
let h = x;
for (let i = 0; i < 30; i++) h = g.op('MatMul', [h, x], {}, { dtype: 'float32', rank: 2 });
g.output(h);
const runner = new GraphRunner({ intraOpNumThreads: 1 });
const key = 'slow';
if (runner.compileSync(key, g.build()).error) throw new Error('compile failed');
const input = runner.newId();
runner.feed(input, 'float32', [256, 256], new Float32Array(256 * 256).fill(1e-3));
for (let i = 0; i < 200; i++) runner.run(key, [input], [runner.newId()]);
while (runner.runsDone() < 1) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
const how = process.argv[2];
process.on('exit', () => process.stdout.write('ended ' + how + '\\n'));
if (how === 'exit') process.exit(5);
if (how === 'terminate') runner.terminate().then(() => process.stdout.write('terminated\\n'));
// 'return': the script just ends; the worker is unref'd, so the process exits with runs pending.
`;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terra-stop-'));
  fs.writeFileSync(path.join(dir, 'child.js'), child);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function end(how: string) {
  return spawnSync(process.execPath, [path.join(dir, 'child.js'), how], { encoding: 'utf8', timeout: 60000 });
}

test.each([
  ['exit', 5],
  ['return', 0],
  ['terminate', 0],
] as const)('the program ends by %s while a segment runs: its own exit code, no abort', (how, code) => {
  for (let i = 0; i < 4; i++) {
    const r = end(how);
    expect(r.stderr).not.toMatch(/terminate called|Aborted/);
    expect({ status: r.status, signal: r.signal }).toEqual({ status: code, signal: null });
    expect(r.stdout).toContain(`ended ${how}`);
    if (how === 'terminate') expect(r.stdout).toContain('terminated');
  }
});
