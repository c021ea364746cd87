async function bad() { await null; throw new TypeError('nope'); }
async function main() { try { await bad(); } catch (e) { console.log('caught', e.name, e.message); } finally { console.log('fin'); } return 'ok'; }
globalThis.__done = main().then(console.log);
