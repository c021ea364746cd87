const o = { v: 3, m() { return this.v; }, n(x) { return this.m() + x; } };
console.log(o.m(), o.n(4), o['m'](), (o.m)());
