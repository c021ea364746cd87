// (a) Semantic preservation: every program in corpus/ prints and throws the same plain, instrumented with
// the hooks off, and instrumented with a listener on; the site stack is balanced when a program completes.
import * as fs from 'fs';
import * as path from 'path';
import { HOOKS, instrument, listeningState, runProgram } from './harness';

const dir = path.join(__dirname, 'corpus');
const programs = fs.readdirSync(dir).filter((f) => f.endsWith('.js')).sort();

test('the corpus has at least 60 programs', () => {
  expect(programs.length).toBeGreaterThanOrEqual(60);
});

describe.each(programs)('%s', (file) => {
  const code = fs.readFileSync(path.join(dir, file), 'utf8');

  test('same output and errors plain and instrumented', async () => {
    const instrumented = instrument(code, `/corpus/${file}`);
    expect(instrumented).toContain('terrajs.hooks');
    const plain = await runProgram(code, file);
    const off = await runProgram(instrumented, file);
    const events: string[] = [];
    const on = await runProgram(instrumented, file, { [HOOKS]: listeningState(events) });

    expect(off.out).toEqual(plain.out);
    expect(off.error).toEqual(plain.error);
    expect(on.out).toEqual(plain.out);
    expect(on.error).toEqual(plain.error);
    if (!plain.error) {
      // a program that completed leaves no site pushed
      expect(off.state?.d).toBe(0);
      expect(on.state?.d).toBe(0);
    }
    if (/\b(for|while)\b/.test(code)) expect(events.some((e) => e.startsWith('it '))).toBe(true);
    if (/\bif\b| \? |&& |\|\| /.test(code)) expect(events.some((e) => e.startsWith('br '))).toBe(true);
    for (const e of events) expect(e).toMatch(/^(it corpus\/.*:\d+:\d+|br corpus\/.*:\d+:\d+ \d+)$/);
  });
});

test('instrumentation is deterministic: the same ids on every run', () => {
  const code = fs.readFileSync(path.join(dir, programs[0]), 'utf8');
  expect(instrument(code, '/corpus/a.js')).toBe(instrument(code, '/corpus/a.js'));
});
