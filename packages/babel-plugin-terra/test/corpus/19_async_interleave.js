const log = [];
async function worker(name, n) { for (let i = 0; i < n; i++) { log.push(name + i); await null; } return name; }
globalThis.__done = Promise.all([worker('a', 3), worker('b', 2)]).then((r) => console.log(r, log.join(' ')));
