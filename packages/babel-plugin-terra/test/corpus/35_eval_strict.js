'use strict';
function f() { eval('var x = 1'); return typeof x; }
console.log(f());
