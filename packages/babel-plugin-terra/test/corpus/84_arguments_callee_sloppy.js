function f(n) { return n <= 1 ? 1 : n * arguments.callee(n - 1); }
console.log(f(5), (function () { return arguments.length; })(1, 2, 3));
