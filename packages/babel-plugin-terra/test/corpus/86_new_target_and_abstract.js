function F() { return new.target === F ? 'new' : 'call'; }
class Base { constructor() { this.kind = new.target.name; } }
class D extends Base {}
console.log(new F() instanceof F, F(), new D().kind);
