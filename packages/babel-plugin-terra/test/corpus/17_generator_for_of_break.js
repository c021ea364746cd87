function* nat() { let i = 0; try { while (true) yield i++; } finally { console.log('closed at', i); } }
for (const n of nat()) { if (n > 3) break; console.log(n); }
