function f(a, b) { return [this && this.t, a, b]; }
const o = { t: 'T' };
console.log(f.call(o, 1, 2), f.apply(o, [3, 4]), f.bind(o, 5)(6), Reflect.apply(f, o, [7, 8]));
