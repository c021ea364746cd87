const log = [];
Promise.resolve().then(() => log.push('micro1'));
queueMicrotask(() => log.push('micro2'));
(async () => { log.push('async start'); await null; log.push('async after'); })();
log.push('sync');
globalThis.__done = new Promise((r) => setTimeout(r, 0)).then(() => console.log(log.join(',')));
