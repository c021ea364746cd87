let out = '';
a: if (true) { out += '1'; if (out) break a; out += 'x'; }
b: { c: for (const i of [1, 2]) { out += i; continue c; } }
console.log(out);
