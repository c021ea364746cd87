const log = [];
const o = { get f() { log.push('get f'); return (x) => { log.push('call ' + x); return this === o; }; } };
function k() { log.push('k'); return 'f'; }
function arg() { log.push('arg'); return 7; }
console.log(o[k()](arg()), log.join(','));
