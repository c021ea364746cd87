const log = [];
const mk = (n) => ({ n, next() { log.push('next' + n); return n < 3 ? mk(n + 1) : null; } });
const r = mk(1).next()?.next().next?.()?.next();
console.log(r, log.join(' '));
console.log(mk(3).next()?.next().next());
