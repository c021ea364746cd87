let seq = 0;
function next() { return ++seq; }
class A {
  id = next();
  #secret = next() * 10;
  static count = next();
  static { this.init = 'static ' + next(); }
  get secret() { return this.#secret; }
  #priv() { return 'p' + this.id; }
  callPriv() { return this.#priv(); }
  static #sp() { return 'sp'; }
  static hasSecret(o) { return #secret in o; }
  static sp() { return A.#sp(); }
}
const x = new A(), y = new A();
console.log(x.id, y.id, x.secret, y.secret, A.count, A.init, x.callPriv(), A.sp(), A.hasSecret(x) ? 'has' : 'no');
