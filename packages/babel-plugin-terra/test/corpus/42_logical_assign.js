const o = { a: 0, b: 1, c: null };
o.a ||= 'A'; o.b &&= 'B'; o.c ??= 'C';
let calls = 0; const p = { get x() { calls++; return 1; }, set x(v) { calls += 100; } };
p.x ||= 5;
console.log(o, calls);
