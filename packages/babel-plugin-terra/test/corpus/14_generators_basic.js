function* g(n) { for (let i = 0; i < n; i++) { const r = yield i * 2; if (r) console.log('got', r); } return 'end'; }
const it = g(3);
console.log(it.next(), it.next('x'), it.next(), it.next(), it.next());
