function counter() { let c = 0; return { inc: () => ++c, get: () => c }; }
const a = counter(), b = counter();
a.inc(); a.inc(); b.inc();
console.log(a.get(), b.get());
