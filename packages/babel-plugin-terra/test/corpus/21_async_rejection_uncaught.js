async function bad() { await 1; return undefined.x; }
globalThis.__done = bad();
