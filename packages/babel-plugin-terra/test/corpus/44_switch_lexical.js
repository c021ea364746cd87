function f(x) { switch (x) { case 'a': let y = 1; return y; case 'b': y = 2; return y; default: return 'd'; } }
console.log(f('a'), f('c'));
try { f('b'); } catch (e) { console.log(e.name); }
