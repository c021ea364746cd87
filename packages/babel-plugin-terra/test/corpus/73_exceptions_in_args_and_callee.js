const log = [];
function bad() { throw new Error('in arg'); }
function f(a, b) { log.push('f called'); return a + b; }
try { f(1, bad()); } catch (e) { log.push(e.message); }
try { (void 0)(); } catch (e) { log.push(e.constructor.name); }
try { const o = {}; o.missing(log.push('arg evaluated')); } catch (e) { log.push(e.constructor.name); }
try { null.m(); } catch (e) { log.push('null receiver'); }
console.log(log.join(' | '));
