function f() { return Array.prototype.slice.call(arguments).map((x) => x * 2).concat([arguments.length]); }
function g() { const inner = () => arguments[0]; return inner('ignored'); }
console.log(f(1, 2, 3), g('outer'));
