console.log(typeof later, later(), typeof v, v);
var v = 1;
function later() { return 'hoisted ' + inner(); function inner() { return 'inner'; } }
{ function block() { return 'block'; } }
console.log(block());
