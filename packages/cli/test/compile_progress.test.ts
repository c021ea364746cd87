// The compile progress bar: drawn on a TTY only, only once a compile has lasted longer than the delay,
// and cleared at the end. Time is injected (no timing assertion); the end-to-end case runs `terra run`
// under a pseudo-terminal with `script`, and piped, with the delay at 0 so that every compile qualifies.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Writable } from 'stream';
import { CompileProgressBar } from '../src/compile_progress_bar';
import { REPO, TERRA, scratch, terra } from './helpers';

/** A stream that records what is written, and says it is (or is not) a terminal. */
function stream(isTTY: boolean): Writable & { isTTY: boolean; columns: number; text: () => string } {
  const chunks: string[] = [];
  const s = new Writable({ write(chunk, _enc, done) { chunks.push(String(chunk)); done(); } }) as Writable & { isTTY: boolean; columns: number; text: () => string };
  s.isTTY = isTTY;
  s.columns = 120;
  s.text = () => chunks.join('');
  // readline's cursorTo/clearLine write escape sequences to any stream; nothing else is needed.
  return s;
}

function compile(bar: CompileProgressBar, clock: { t: number }, kernels: number, msPerStep: number): void {
  bar.begin({ number: 3, kernels });
  for (let k = 0; k < kernels; k++) {
    clock.t += msPerStep;
    bar.update('lowering', k);
  }
  for (let i = 0; i < 10; i++) {
    clock.t += msPerStep * 10;
    bar.update('optimizing', kernels);
  }
  bar.end(false);
}

test('a long compile on a TTY draws the bar, naming the segment and its stage, and clears it', () => {
  const s = stream(true);
  const clock = { t: 0 };
  compile(new CompileProgressBar(s, 300, () => clock.t), clock, 40, 50);
  const text = s.text();
  expect(text).toMatch(/terra: compiling segment 3 \[[=-]+\] \d+\/40 kernels, lowering to ONNX/);
  expect(text).toMatch(/40\/40 kernels, ONNX Runtime optimizing/);
  // Cleared: after the last drawing the line is erased (readline.clearLine), and no newline was left.
  const after = text.slice(text.lastIndexOf('terra: compiling segment'));
  expect(after).toMatch(/\x1b\[2K$/);
  expect(after).not.toMatch(/\n/);
});

test('nothing is drawn for a short compile, nor when the stream is not a TTY', () => {
  const short = stream(true);
  const clock = { t: 0 };
  compile(new CompileProgressBar(short, 300, () => clock.t), clock, 5, 1);
  expect(short.text()).toBe('');
  const piped = stream(false);
  compile(new CompileProgressBar(piped, 0, () => clock.t), clock, 40, 50);
  expect(piped.text()).toBe('');
});

const SCRIPT = '/usr/bin/script';
const hasScript = fs.existsSync(SCRIPT);
(hasScript ? test : test.skip)('terra run draws the bar under a pseudo-terminal, and never on a pipe', () => {
  const dir = scratch({ 'train.js': fs.readFileSync(path.join(REPO, 'fixtures/mlp/train.js'), 'utf8') });
  const env = { TERRA_PROGRESS_DELAY_MS: '0' };
  const cmd = `${process.execPath} ${TERRA} run --no-cache train.js 6 2>&1`;
  const tty = spawnSync(SCRIPT, ['-qec', cmd, '/dev/null'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
  expect(tty.status).toBe(0);
  expect(tty.stdout).toMatch(/terra: compiling segment 1 \[/);
  expect(tty.stdout).toMatch(/step 5 loss/);
  const piped = terra(dir, ['run', '--no-cache', 'train.js', '6'], env);
  expect(piped.status).toBe(0);
  expect(piped.stderr).not.toMatch(/compiling segment/);
  const off = spawnSync(SCRIPT, ['-qec', cmd.replace('run', 'run --no-progress'), '/dev/null'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
  expect(off.status).toBe(0);
  expect(off.stdout).not.toMatch(/compiling segment/);
});
