const log = [];
setTimeout(() => log.push('t2'), 2);
setTimeout(() => log.push('t0'), 0);
setImmediate(() => log.push('imm'));
globalThis.__done = new Promise((r) => setTimeout(r, 10)).then(() => console.log(log.sort().join(',')));
