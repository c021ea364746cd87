import { compareOutputs, sameLine } from '../src/output_diff';

test('the comparison tolerates float noise only', () => {
  expect(compareOutputs('step 1 loss 0.123456\nw 1.000000,2.000000\n', 'step 1 loss 0.123457\nw 1.000010,2.000000\n')).toEqual([]);
  expect(compareOutputs('loss 0.500000\n', 'loss 0.501000\n')).toHaveLength(1);
  expect(compareOutputs('loss 1000.000000\n', 'loss 1000.500000\n')).toEqual([]);
  expect(compareOutputs('pred 0121\n', 'pred 0122\n')).toHaveLength(1);
  expect(compareOutputs('caught skip 4\n', 'step 4\n')).toHaveLength(1);
  expect(compareOutputs('a\nb\n', 'a\n')).toEqual(['line count: eager 2, terra 1']);
});

test('names the two sides, and stops after the first differences', () => {
  expect(compareOutputs('x 1\n', 'x 2\n', ['terra eager', 'tfjs cpu'])).toEqual(['line 1:\n    terra eager: x 1\n    tfjs cpu: x 2']);
  expect(compareOutputs('1\n2\n3\n', '4\n5\n6\n', undefined, undefined, 2)).toHaveLength(2);
});

test('lines agree token by token, NaN with NaN, not with a number', () => {
  expect(sameLine('loss NaN', 'loss NaN')).toBe(true);
  expect(sameLine('loss NaN', 'loss 0.1')).toBe(false);
  expect(sameLine('a 1e-5', 'a 0')).toBe(true);
  expect(sameLine('a b', 'a')).toBe(false);
});
