function cls(x) { if (x < 0) return 'neg'; else if (x === 0) return 'zero'; else { if (x > 100) return 'big'; } return 'pos'; }
console.log([-1, 0, 5, 500].map(cls));
