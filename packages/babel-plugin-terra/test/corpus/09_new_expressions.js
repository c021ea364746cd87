function P(x) { this.x = x; if (!new.target) return 'called'; }
class Q { constructor(a, b) { this.s = a + b; } }
const args = [1, 2];
console.log(new P(1).x, P(2), new Q(...args).s, new (class { get v() { return 9; } })().v);
