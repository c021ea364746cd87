const o = { get boom() { throw new Error('getter boom'); } };
class C { constructor() { throw new Error('ctor boom'); } }
for (const f of [() => o.boom, () => new C(), () => o.boom.x()]) { try { f(); } catch (e) { console.log(e.message); } }
