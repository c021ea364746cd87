function f() { let i = 0; while (true) { try { i++; if (i < 3) continue; return i; } finally { if (i === 3) { i = 100; } } } }
function g() { outer: for (const x of [1, 2]) { try { try { throw x; } finally { if (x === 1) continue outer; } } catch (e) { return 'caught ' + e; } } return 'end'; }
console.log(f(), g());
