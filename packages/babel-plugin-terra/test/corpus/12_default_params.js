let n = 0;
function next() { return ++n; }
function f(a = next(), b = a + next(), c = (() => next())()) { return [a, b, c, arguments.length]; }
console.log(f(), f(10), f(undefined, 5), n);
