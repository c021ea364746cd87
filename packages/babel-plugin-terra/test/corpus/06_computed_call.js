const o = { a() { return 'A' + this.k; }, b() { return 'B' + this.k; }, k: '!' };
const names = ['a', 'b'];
let i = 0;
console.log(o[names[i++]](), o[names[i++]](), i);
