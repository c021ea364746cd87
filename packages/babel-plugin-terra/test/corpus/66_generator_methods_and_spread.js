const o = { *[Symbol.iterator]() { yield* [1, 2]; yield this.x; }, x: 3 };
class C { static *range(n) { for (let i = 0; i < n; i++) yield i; } }
console.log([...o], Math.max(...C.range(5)), Array.from(C.range(3)));
