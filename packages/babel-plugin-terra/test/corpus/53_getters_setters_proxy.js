const log = [];
const target = { x: 1, f() { return 'f' + this.x; } };
const p = new Proxy(target, { get(t, k, r) { log.push('get ' + String(k)); return Reflect.get(t, k, r); } });
console.log(p.f(), p.x, log.join(','));
const o = { _v: 0, set v(x) { log.push('set'); this._v = x * 2; }, get v() { return this._v; } };
o.v = o.v + 3;
console.log(o.v, log.length);
