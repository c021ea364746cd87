class A { constructor(x) { this.x = x; } m() { return 'A.m' + this.x; } static s() { return 'A.s'; } }
class B extends A {
  constructor() { super(f()); this.y = 2; }
  m() { return 'B>' + super.m(); }
  static s() { return 'B>' + super.s(); }
  arrow() { return (() => super.m())(); }
}
function f() { return 7; }
const b = new B();
console.log(b.m(), B.s(), b.arrow(), b.x, b.y);
