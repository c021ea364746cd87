var x = 'outer';
function f(a = () => x, x = 'param') { var x = 'body'; return [a(), x]; }
console.log(f());
