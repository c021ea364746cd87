const mk = (n) => (m) => (k) => n + m + k;
const o = { get(){ return { f: () => 'nested' }; } };
console.log(mk(1)(2)(3), o.get().f(), [() => 'arr'][0](), (() => () => 'double')()());
