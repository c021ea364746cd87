const s = 'Hello, World';
console.log(s.split(', ').map((w) => w.toUpperCase()).join('-'), JSON.stringify({ a: [1, { b: 2 }] }, null, 1).length, JSON.parse('{"x":[1,2]}', (k, v) => (typeof v === 'number' ? v * 10 : v)));
