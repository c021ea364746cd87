'use strict';
const o = { m() { return this === undefined ? 'undef' : 'obj'; } };
console.log((0, o.m)(), o.m());
