class B { constructor() { this.parts = []; } add(x) { this.parts.push(x); return this; } build() { return this.parts.join(''); } }
const f = (x) => x.toUpperCase();
console.log(new B().add('a').add(f('b')).add(new B().add('c').build()).build());
