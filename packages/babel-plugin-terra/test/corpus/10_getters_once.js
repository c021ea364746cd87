let n = 0;
const o = { get g() { n++; return { m() { return 'm'; } }; } };
console.log(o.g.m(), n);
const p = { get f() { n++; return () => n; } };
console.log(p.f(), n);
