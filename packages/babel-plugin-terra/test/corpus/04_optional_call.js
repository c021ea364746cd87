const o = { m() { return this.x; }, x: 5, n: null };
const u = undefined;
console.log(o?.m(), u?.m(), o.n?.(), o.m?.(), u?.a.b.c(), o?.['m']());
