import { expectParity, rand, tf } from './harness';

describe('Einsum', () => {
  const cases: Array<[string, number[][]]> = [
    ['ij,jk->ik', [[3, 4], [4, 5]]],
    ['bij,bjk->bik', [[2, 3, 4], [2, 4, 5]]],
    ['ij->ji', [[3, 4]]],
    ['ij->', [[3, 4]]],
    ['ij->i', [[3, 4]]],
    ['i,i->', [[5], [5]]],
    ['i,j->ij', [[3], [4]]],
    ['ijk,kl->ijl', [[2, 3, 4], [4, 2]]],
    ['abcd,cb->ad', [[2, 3, 4, 5], [4, 3]]],
    ['ij,jk->ik', [[0, 4], [4, 5]]],
    ['ij,jk->ik', [[3, 0], [0, 5]]],
  ];
  for (const [eq, shapes] of cases) {
    it(`${eq} ${JSON.stringify(shapes)}`, () => {
      expectParity(() => tf.einsum(eq, ...shapes.map((s, i) => rand(s, 'float32', { seed: i + 1 }))), { onOrt: ['Einsum'] });
    });
  }
  it('a letter summed within one of two operands stays on cpu (tfjs mis-shapes it)', () => {
    expectParity(() => tf.einsum('ijk,kl->il', rand([2, 3, 4], 'float32', { seed: 1 }), rand([4, 2], 'float32', { seed: 2 })));
  });
  it('int32', () => {
    expectParity(() => tf.einsum('ij,jk->ik', rand([3, 4], 'int32', { seed: 1 }), rand([4, 2], 'int32', { seed: 2 })));
  });
});
