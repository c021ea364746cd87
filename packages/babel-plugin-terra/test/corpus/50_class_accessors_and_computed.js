let n = 0;
const key = () => 'k' + ++n;
class C { [key()]() { return 'm1'; } static [key()] = 'static field'; get [key()]() { return 'getter'; } }
const c = new C();
console.log(c.k1(), C.k2, c.k3, n);
