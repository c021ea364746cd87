const r = (function outer(x) { return (function inner(y) { return ((z) => x + y + z)(3); })(2); })(1);
const r2 = (() => { const f = () => (() => 'deep')(); return f(); })();
console.log(r, r2);
