async function* ag() { const a = yield 1; console.log('a', a); try { yield 2; } finally { console.log('ag finally'); } }
async function main() { const it = ag(); console.log(await it.next(), await it.next('A'), await it.return('R'), await it.next()); }
globalThis.__done = main();
