let evaluated = 0;
const arg = () => (evaluated++, 1);
const n = null;
console.log(n?.f(arg()), n?.a.b(arg()).c(arg()), evaluated, delete n?.x, typeof n?.());
const o = { a: { b() { return { c() { return 'c!'; } }; } } };
console.log(o?.a.b(arg()).c(arg()), evaluated);
