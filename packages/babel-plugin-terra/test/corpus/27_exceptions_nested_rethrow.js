function a() { throw new RangeError('deep'); }
function b() { try { a(); } finally { console.log('b finally'); } }
function c() { try { b(); } catch (e) { console.log('c caught', e.name); throw new Error('wrapped: ' + e.message); } }
try { c(); } catch (e) { console.log(e.message); }
c();
