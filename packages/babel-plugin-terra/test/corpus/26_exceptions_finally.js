function f(x) { try { if (x) throw new Error('e' + x); return 'ok'; } catch (e) { return 'caught ' + e.message; } finally { console.log('finally', x); } }
function g() { try { return 'try'; } finally { return 'finally wins'; } }
function h() { for (let i = 0; i < 3; i++) { try { if (i === 1) continue; if (i === 2) break; } finally { console.log('fin', i); } } return 'h'; }
console.log(f(0), f(1), g(), h());
