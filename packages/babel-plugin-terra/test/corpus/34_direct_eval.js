function f() { var local = 'L'; return eval('local + typeof f'); }
var ge = 'global';
function g() { var ge = 'local'; return (0, eval)('ge'); }
function h() { eval('var created = 5'); return created; }
console.log(f(), g(), h());
