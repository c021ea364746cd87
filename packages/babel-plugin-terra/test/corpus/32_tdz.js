try { console.log(x); } catch (e) { console.log(e.name); }
let x = f();
function f() { return 3; }
console.log(x);
