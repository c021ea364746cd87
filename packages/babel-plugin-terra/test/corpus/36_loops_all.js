const out = [];
for (let i = 0; i < 3; i++) out.push('f' + i);
for (const k in { a: 1, b: 2 }) out.push('in' + k);
for (const v of ['x', 'y']) out.push('of' + v);
let w = 0; while (w < 2) out.push('w' + w++);
let d = 0; do out.push('d' + d); while (++d < 2);
for (;;) { out.push('inf'); break; }
for (var i2 = 0, j2 = 10; i2 < j2; i2 += 4, j2 -= 1) out.push(i2 + ':' + j2);
console.log(out.join(' '));
