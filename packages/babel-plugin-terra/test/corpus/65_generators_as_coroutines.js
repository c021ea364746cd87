function* acc() { let total = 0; while (true) { const x = yield total; if (x === undefined) return total; total += x; } }
const g = acc(); g.next();
[1, 2, 3].forEach((x) => g.next(x));
console.log(g.next().value, g.next());
