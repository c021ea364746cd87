async function main() { const out = []; for await (const v of new Set([Promise.resolve(1), 2])) out.push(v); return out; }
globalThis.__done = main().then(console.log);
