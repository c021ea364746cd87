let a = 0;
const r = (a++, a++, a);
console.log(r, void f(), typeof f());
function f() { return 1; }
