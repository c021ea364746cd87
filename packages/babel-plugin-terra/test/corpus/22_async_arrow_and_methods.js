const o = { async m(x) { return (await x) + this.k; }, k: 1 };
const f = async (x) => (await o.m(x)) * 2;
class C { async n() { return [await f(1), await o.m(Promise.resolve(5))]; } }
globalThis.__done = new C().n().then(console.log);
