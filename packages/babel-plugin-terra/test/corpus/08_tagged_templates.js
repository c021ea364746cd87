function tag(strings, ...vals) { return strings.raw.join('|') + ':' + vals.join(',') + ':' + (this === undefined); }
const o = { tag(s, ...v) { return this === o ? 'this ok ' + v.length : 'bad'; } };
const f = (x) => x * 2;
console.log(tag`a${f(1)}b${f(2)}c`, o.tag`x${f(3)}`);
const cache = new Set();
function id(s) { cache.add(s); return s; }
for (let i = 0; i < 3; i++) id`same`;
console.log(cache.size);
