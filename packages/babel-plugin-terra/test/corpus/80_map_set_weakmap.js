const m = new Map([[1, 'a']]); m.set(2, 'b');
const s = new Set([1, 1, 2]); const wm = new WeakMap(); const key = {}; wm.set(key, 'v');
console.log([...m.entries()], [...s], wm.get(key), m.size + s.size);
