async function f() { try { await Promise.reject(new Error('r')); } catch (e) { return 'c:' + e.message; } finally { await null; console.log('async finally'); } }
async function g() { for (let i = 0; i < 3; i++) { try { if (i === 1) continue; await null; } finally { console.log('g', i); } } return 'g done'; }
globalThis.__done = f().then(console.log).then(g).then(console.log);
