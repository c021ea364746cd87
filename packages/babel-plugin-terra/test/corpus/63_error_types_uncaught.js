class MyError extends Error { constructor(m) { super(m); this.name = 'MyError'; } }
function f() { g(); }
function g() { throw new MyError('custom failure'); }
f();
