const iterable = { from: 1, to: 4, [Symbol.iterator]() { let c = this.from, t = this.to; return { next: () => (c <= t ? { value: c++, done: false } : { value: undefined, done: true }), return() { console.log('return called'); return { done: true }; } }; } };
console.log([...iterable], Array.from(iterable, (x) => x * x));
for (const v of iterable) { if (v === 2) break; }
const [first] = iterable;
console.log(first);
