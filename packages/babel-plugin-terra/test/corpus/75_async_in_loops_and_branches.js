const sleep = (v) => new Promise((r) => setTimeout(() => r(v), 0));
async function f(xs) { let s = 0; for (const x of xs) { s += x > 1 ? await sleep(x) : x; if ((await sleep(s)) > 5) break; } return s; }
globalThis.__done = f([1, 2, 3, 4]).then(console.log);
