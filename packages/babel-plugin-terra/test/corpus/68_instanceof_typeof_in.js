class A {} class B extends A {}
const b = new B();
console.log(b instanceof A, typeof b, 'constructor' in b, typeof undefinedThing, typeof (() => {}), Object.getPrototypeOf(b) === B.prototype);
