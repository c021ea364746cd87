'use strict';
function f() { return this; }
let err;
try { undeclared = 1; } catch (e) { err = e.name; }
console.log(f(), err, (function () { return typeof this; })());
