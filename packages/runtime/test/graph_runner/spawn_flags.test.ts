/**
 * The worker must not inherit the main thread's node flags: under `node -r @terrajs/cli/register` it
 * would otherwise run the register entry itself (loading tfjs and starting co-execution in the worker).
 * Runs the built runtime in a child process with a `-r` module that reports where it runs.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

test('a -r module of the main process does not run in the GraphRunner worker', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terra-spawn-'));
  try {
    fs.writeFileSync(path.join(dir, 'marker.js'),
      "process.stderr.write('marker in ' + (require('worker_threads').isMainThread ? 'main' : 'worker') + '\\n');\n");
    const runnerPath = require.resolve('@terrajs/runtime/dist/graph_runner/graph_runner.js', { paths: [__dirname] });
    fs.writeFileSync(path.join(dir, 'main.js'), `
const { GraphRunner } = require(${JSON.stringify(runnerPath)});
const r = new GraphRunner();
r.stats();
r.terminate().then(() => process.stderr.write('done\\n'));
`);
    const res = spawnSync(process.execPath, ['-r', path.join(dir, 'marker.js'), path.join(dir, 'main.js')], { encoding: 'utf8', timeout: 60000 });
    expect(res.stderr).toContain('done');
    expect(res.stderr.match(/marker in \w+/g)).toEqual(['marker in main']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
