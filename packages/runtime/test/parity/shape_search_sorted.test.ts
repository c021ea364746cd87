import { expectParity, rand, randValues, tf } from './harness';

function sortedRows(rows: number, n: number, seed: number, dtype: 'float32' | 'int32' = 'float32'): tf.Tensor {
  const vals = randValues([rows, n], dtype, { seed, min: -5, max: 5 });
  const out: number[] = [];
  for (let r = 0; r < rows; r++) out.push(...vals.slice(r * n, (r + 1) * n).sort((a, b) => a - b));
  return tf.tensor(out, [rows, n], dtype);
}

describe('SearchSorted', () => {
  for (const side of ['left', 'right'] as const) {
    for (const [rows, n, m] of [[1, 1, 4], [1, 7, 9], [3, 8, 5], [2, 15, 16], [4, 16, 3], [2, 33, 10]]) {
      it(`${side} rows=${rows} seq=${n} values=${m}`, () => {
        expectParity(() => [
          tf.searchSorted(sortedRows(rows, n, 1), rand([rows, m], 'float32', { seed: 2, min: -6, max: 6 }), side),
          tf.searchSorted(sortedRows(rows, n, 1, 'int32'), rand([rows, m], 'int32', { seed: 2, min: -6, max: 6 }), side),
          // Values drawn from the sequence itself hit ties.
          tf.searchSorted(sortedRows(rows, n, 3, 'int32'), sortedRows(rows, n, 3, 'int32'), side),
          // Another row count reuses the session.
          tf.searchSorted(sortedRows(rows + 2, n, 4), rand([rows + 2, m], 'float32', { seed: 5, min: -6, max: 6 }), side),
        ], { onOrt: ['SearchSorted'] });
      });
    }
    it(`${side} 1D inputs, mixed dtypes, NaN, infinities, unsorted rows`, () => {
      expectParity(() => [
        tf.searchSorted(tf.tensor1d([-Infinity, -1, 0, 0, 0, 2, Infinity]), tf.tensor1d([NaN, -Infinity, 0, 1, Infinity, 3]), side),
        tf.searchSorted(tf.tensor1d([1, NaN, 3, NaN, 5]), tf.tensor1d([0, 2, 4, 6, NaN]), side),
        tf.searchSorted(tf.tensor2d([5, 1, 4, 2, 3, 9, 0, 7], [2, 4]), tf.tensor2d([2, 3, 4, 0, 8, 1], [2, 3]), side),
        tf.searchSorted(tf.tensor1d([0, 1, 2, 3], 'int32'), tf.tensor1d([0.5, 1, 2.5, -1]), side),
        tf.searchSorted(tf.tensor1d([false, true], 'bool'), tf.tensor1d([0, 1], 'int32'), side),
        tf.searchSorted(sortedRows(2, 5, 1).reshape([2, 1, 5]), rand([2, 1, 3]), side),
      ], { onOrt: ['SearchSorted'] });
    });
    it(`${side} empty`, () => {
      expectParity(() => [
        tf.searchSorted(tf.zeros([0, 4]), tf.zeros([0, 2]), side),
      ], { onOrt: ['SearchSorted'] });
    });
  }
});
