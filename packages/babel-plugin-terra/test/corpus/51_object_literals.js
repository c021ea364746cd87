let n = 0; const k = () => 'key' + ++n;
const o = { [k()]: 1, a: n, ...{ b: 2 }, m() { return this.a; }, get g() { return n; }, [k()]() { return 'c'; } };
console.log(JSON.stringify(o), o.m(), o.g, o.key2());
