let count = 0;
const arr = [1, 2, 3];
try { arr.forEach((x) => { count++; if (x === 2) throw new Error('stop at ' + x); }); } catch (e) { console.log(e.message, count); }
const res = [3, 1, 2].sort((a, b) => { if (typeof a !== 'number') throw 0; return a - b; });
console.log(res);
