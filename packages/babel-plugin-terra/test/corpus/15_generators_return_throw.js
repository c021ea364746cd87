function* g() { try { yield 1; yield 2; } catch (e) { console.log('caught', e); yield 3; } finally { console.log('finally'); } }
const a = g(); console.log(a.next(), a.return(9), a.next());
const b = g(); console.log(b.next(), b.throw('boom'), b.next(), b.next());
