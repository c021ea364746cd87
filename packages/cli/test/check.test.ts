// `terra run --check` and TERRA_CHECK=1 (docs/check.md): a correct run compares values and exits as the program
// does, printing what eager execution prints; a segment run perturbed on purpose (TERRA_CHECK_PERTURB_RUN, a
// test-only hook) is reported with iteration, site, kernel and magnitude, and the run exits 3 with all of the
// program's output.
import * as fs from 'fs';
import * as path from 'path';
import { node, scratch, terra } from './helpers';

const PROGRAM = `const tf = require('@tensorflow/tfjs');
const w = tf.variable(tf.tensor2d([[0.1], [-0.2], [0.3]]));
const x = tf.tensor2d([[1, 2, 0], [0, 1, 1], [2, 0, 1], [1, 1, 1]]);
const y = tf.tensor2d([[1], [2], [0], [1]]);
const optimizer = tf.train.adam(0.05);
for (let step = 0; step < 16; step++) {
  const loss = optimizer.minimize(() => x.matMul(w).sub(y).square().mean(), true);
  if (step % 4 === 0) console.log('step ' + step + ' loss ' + loss.dataSync()[0].toFixed(5));
  loss.dispose();
}
console.log('w ' + Array.from(w.dataSync()).map((v) => v.toFixed(4)).join(' '));
`;

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** Equal token by token, numbers within 1e-3 relative or 1e-4 absolute. */
function expectSameOutput(actual: string, expected: string): void {
  const a = actual.trim().split(/\s+/);
  const e = expected.trim().split(/\s+/);
  expect(a.length).toBe(e.length);
  e.forEach((t, i) => {
    if (NUMBER.test(t) && NUMBER.test(a[i])) {
      const d = Math.abs(Number(a[i]) - Number(t));
      if (d > 1e-4 && d > 1e-3 * Math.abs(Number(t))) throw new Error(`token ${i}: ${a[i]} vs ${t}`);
    } else expect(a[i]).toBe(t);
  });
}

function statsOf(dir: string, file: string): { exitCode: number; check?: { values: number; mismatches: number; first?: { kernel: string; site: string } } } {
  return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
}

describe('terra run --check', () => {
  let dir: string;
  beforeAll(() => {
    dir = scratch({ 'train.js': PROGRAM, 'exits5.js': PROGRAM + 'process.exitCode = 5;\n' });
  });

  it('compares values in a correct run, exits 0, and the program prints what eager execution prints', () => {
    const eager = terra(dir, ['run', '--mode', 'eager', 'train.js']);
    const r = terra(dir, ['run', '--check', '--stats', '--stats-json', 'ok.json', 'train.js']);
    expect(r.status).toBe(0);
    expectSameOutput(r.stdout, eager.stdout);
    const s = statsOf(dir, 'ok.json');
    expect(s.check!.values).toBeGreaterThan(0);
    expect(s.check!.mismatches).toBe(0);
    expect(r.stderr).toMatch(/check: \d+ values compared with the eager shadow .*, 0 mismatched/);
    expect(r.stderr).not.toContain('--check: mismatch');
  });

  it('reports a wrong segment run with iteration, site, kernel and magnitude, keeps the output, and exits 3', () => {
    const r = terra(dir, ['run', '--check', '--stats-json', 'bad.json', 'train.js'], { TERRA_CHECK_PERTURB_RUN: '3' });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/terra: --check: mismatch in iteration \d+: .*produced by kernel \w+ \(#\d+ of the iteration\) at train\.js:\d+:\d+, differs from eager execution: max abs diff 1\.00000 at index \d+/);
    expect(r.stderr.match(/--check: mismatch/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/^w( -?\d\.\d{4}){3}$/m); // the program ran to its end
    const s = statsOf(dir, 'bad.json');
    expect(s.exitCode).toBe(3);
    expect(s.check!.mismatches).toBeGreaterThan(0);
    expect(s.check!.first!.site).toMatch(/^train\.js:\d+:\d+$/);
  });

  it('leaves a program\'s own non-zero exit code alone', () => {
    const r = terra(dir, ['run', '--check', 'exits5.js'], { TERRA_CHECK_PERTURB_RUN: '3' });
    expect(r.stderr).toContain('--check: mismatch');
    expect(r.status).toBe(5);
  });

  it('works through the register entry with TERRA_CHECK=1', () => {
    const ok = node(dir, ['-r', '@terrajs/cli/register', 'train.js'], { TERRA_CHECK: '1', TERRA_STATS: '1' });
    expect(ok.status).toBe(0);
    expect(ok.stderr).toMatch(/check: [1-9]\d* values compared/);
    const bad = node(dir, ['-r', '@terrajs/cli/register', 'train.js'], { TERRA_CHECK: '1', TERRA_CHECK_PERTURB_RUN: '2' });
    expect(bad.status).toBe(3);
    expect(bad.stderr).toContain('--check: mismatch in iteration');
  });

  it('needs co-execution: a usage error with another mode', () => {
    const r = terra(dir, ['run', '--check', '--mode', 'eager', 'train.js']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('terra: --check needs co-execution (mode terra or static), not mode eager');
    const env = node(dir, ['-r', '@terrajs/cli/register', 'train.js'], { TERRA_CHECK: '1', TERRA_MODE: 'cpu' });
    expect(env.status).toBe(2);
    expect(env.stderr).toContain('TERRA_CHECK needs co-execution');
  });
});
