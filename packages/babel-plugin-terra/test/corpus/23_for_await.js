async function* src() { for (let i = 0; i < 3; i++) { await null; yield i; } }
async function main() {
  const out = [];
  for await (const x of src()) { if (x === 1) continue; out.push(x); }
  outer: for await (const x of src()) { for (const y of [1, 2]) { if (x === 2) break outer; out.push(x * 10 + y); } }
  for await (const x of [Promise.resolve('p'), 'q']) out.push(x);
  return out;
}
globalThis.__done = main().then(console.log);
