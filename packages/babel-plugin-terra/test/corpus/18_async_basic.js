async function f(x) { const a = await g(x); const b = await g(a); return a + b; }
async function g(x) { return x * 2; }
globalThis.__done = f(1).then((v) => console.log('v', v));
