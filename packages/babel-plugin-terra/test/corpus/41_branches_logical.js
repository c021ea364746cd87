const log = [];
const t = (v) => { log.push(v); return v; };
console.log(t(0) && t(1), t(2) && t(3), t(0) || t(4), t(5) || t(6), t(null) ?? t(7), t(0) ?? t(8), t(undefined) ?? t(false) ?? t(9));
console.log(log.join(','));
console.log(NaN && 1, '' || 'e', 0 ?? 1, (a => a && a.b)({ b: 'B' }));
