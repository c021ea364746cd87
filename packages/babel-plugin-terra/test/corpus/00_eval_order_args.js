const log = [];
function a() { log.push('a'); return 1; }
function b() { log.push('b'); return 2; }
function c() { log.push('c'); return (x, y) => x + y; }
console.log(c()(a(), b()), log.join(','));
