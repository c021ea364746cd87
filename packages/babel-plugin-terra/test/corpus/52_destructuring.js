const f = () => ({ a: 1, b: { c: [2, 3] } });
const { a, b: { c: [x, y = 9, z = (() => 'dz')()] }, d = 'dd' } = f();
const [p, ...rest] = (function* () { yield 1; yield 2; yield 3; })();
let m, n; [m, n] = [n, m] = [5, 6];
console.log(a, x, y, z, d, p, rest, m, n);
