// Third-party-style plain JS over arraySync() values (a top-k and an argmax written in JS) computes
// indices that are fed back into tf.gather and tf.oneHot. A plain tfjs program.
const tf = require('@tensorflow/tfjs');

let seed = 777;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
const f = (v) => v.toFixed(6);

// A tiny "library": no tfjs, only arrays.
const lib = {
  topK(row, k) {
    const idx = row.map((v, i) => i);
    idx.sort((a, b) => (row[b] - row[a]) || (a - b));
    return idx.slice(0, k);
  },
  argmax(row) {
    let best = 0;
    for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
    return best;
  },
};

const V = 24, E = 8, C = 6, B = 12;
const table = tf.variable(tf.tensor2d(Array.from({ length: V * E }, () => (rand() - 0.5) * 0.5), [V, E]), true, 'table');
const proj = tf.variable(tf.tensor2d(Array.from({ length: E * C }, () => (rand() - 0.5) * 0.5), [E, C]), true, 'proj');
const optimizer = tf.train.sgd(0.3);

for (let step = 0; step < 40; step++) {
  // Scores of every vocabulary entry for each query, read into JS.
  const queries = tf.tensor2d(Array.from({ length: B * V }, () => rand()), [B, V]);
  const scores = tf.tidy(() => tf.add(queries, tf.mul(2, tf.sum(tf.matMul(table, proj), 1).expandDims(0))));
  queries.dispose();
  const rows = scores.arraySync();
  scores.dispose();
  const picked = [];
  const labels = [];
  for (const row of rows) {
    const top = lib.topK(row, 2);
    picked.push(top[0], top[1]);
    labels.push(lib.argmax(row.slice(0, C)));
  }
  const ids = tf.tensor1d(picked, 'int32');
  const labelIds = tf.tensor1d(labels, 'int32');
  const loss = optimizer.minimize(() => {
    const emb = tf.gather(table, ids); // [2B, E]
    const pooled = tf.reshape(emb, [B, 2, E]).mean(1);
    const logits = tf.matMul(pooled, proj);
    return tf.losses.softmaxCrossEntropy(tf.oneHot(labelIds, C), logits);
  }, true);
  console.log(`step ${step} ids ${picked.slice(0, 6).join(',')} labels ${labels.slice(0, 6).join(',')} loss ${f(loss.dataSync()[0])}`);
  loss.dispose();
  ids.dispose();
  labelIds.dispose();
}
console.log(`table sum ${f(table.sum().dataSync()[0])} first ${f(table.dataSync()[0])}`);
console.log(`proj sum ${f(proj.sum().dataSync()[0])} first ${f(proj.dataSync()[0])}`);
