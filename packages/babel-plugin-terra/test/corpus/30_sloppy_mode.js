function f() { return typeof this; }
function g() { arguments[0] = 'changed'; return arguments.length; }
function h(a) { arguments[0] = 'mapped'; return a; }
console.log(f(), g(1, 2), h('orig'));
