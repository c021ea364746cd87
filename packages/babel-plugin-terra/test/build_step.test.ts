// The docs/build-step.md example: built with @babel/cli and babel.config.js, run with plain node through the
// register entry.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const REPO = path.resolve(__dirname, '../../..');
const EXAMPLE = path.join(REPO, 'packages/babel-plugin-terra/examples/build-step');

test('babel --config-file builds the example; node -r @terrajs/cli/register runs it on terra', () => {
  const out = path.join(EXAMPLE, 'dist');
  fs.rmSync(out, { recursive: true, force: true });
  try {
    const build = spawnSync(process.execPath, [path.join(REPO, 'node_modules/@babel/cli/bin/babel.js'), 'src', '--out-dir', 'dist'], { cwd: EXAMPLE, encoding: 'utf8' });
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    const built = fs.readFileSync(path.join(out, 'train.js'), 'utf8');
    expect(built).toContain('Symbol.for("terrajs.hooks")');
    expect(built).toContain('"src/train.js:');
    const run = spawnSync(process.execPath, ['-r', '@terrajs/cli/register', 'dist/train.js'], {
      cwd: EXAMPLE,
      encoding: 'utf8',
      env: { ...process.env, TERRA_MODE: 'eager' },
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^step 0 loss /);
    expect(run.stdout).toMatch(/backend terra w 3\.0\d\d b -1\.0\d\d|backend terra w 2\.9\d\d b -0\.9\d\d/);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
