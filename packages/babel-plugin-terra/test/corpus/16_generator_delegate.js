function* inner() { const x = yield 'i1'; console.log('inner got', x); return 'ret'; }
function* outer() { const r = yield* inner(); console.log('r', r); yield* [1, 2]; }
console.log([...outer()]);
const o = outer(); o.next(); console.log(o.next('X'));
