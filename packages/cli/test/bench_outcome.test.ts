// The bench's correctness verdicts (bench/lib/outcome.js): a baseline on another backend whose losses agree
// over the first steps and part later drifts; one that parts from the first steps is wrong.
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { outcome, AGREEING_FOR_DRIFT } = require(path.resolve(__dirname, '../../../bench/lib/outcome.js')) as {
  outcome: (run: object, reference: object | undefined, sameIterations: boolean) => { kind: string; detail: string };
  AGREEING_FOR_DRIFT: number;
};

const printed = (losses: number[]) => ({ status: 0, stdout: losses.map((l, i) => `step ${i} loss ${l}`).join('\n') + '\n', stderr: '' });
const eager = printed([2.5, 2.4, 2.3, 2.2, 2.1, 2.0]);

describe('bench outcome of a baseline run', () => {
  it('is ok when every common step agrees', () => {
    expect(outcome(printed([2.5, 2.4, 2.3, 2.20001]), eager, false).kind).toBe('ok');
  });

  it('is drift when the first steps agree and a later one parts', () => {
    const o = outcome(printed([2.5, 2.4, 2.3, 2.25, 2.2, 2.1]), eager, false);
    expect(AGREEING_FOR_DRIFT).toBe(2);
    expect(o).toEqual({ kind: 'drift', detail: 'steps 0-2 agree; step 3 loss 2.25 against 2.2 (2.2% apart)' });
  });

  it('is wrong when the first update already parts', () => {
    const o = outcome(printed([2.5, 2.45, 2.3, 2.2]), eager, false);
    expect(o.kind).toBe('wrong');
    expect(o.detail).toBe('step 1 loss 2.45 against 2.4 (2.0% apart)');
  });

  it('is wrong when no step was printed by both', () => {
    expect(outcome({ status: 0, stdout: 'nothing\n', stderr: '' }, eager, false).kind).toBe('wrong');
  });

  it('never calls a terra mode drift: its whole output must agree', () => {
    const o = outcome(printed([2.5, 2.4, 2.3, 2.25, 2.2, 2.1]), eager, true);
    expect(o.kind).toBe('wrong');
  });
});
