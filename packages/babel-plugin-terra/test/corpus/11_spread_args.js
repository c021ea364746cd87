function sum(...xs) { return xs.reduce((a, b) => a + b, 0) + ':' + arguments.length; }
function* gen() { yield 1; yield 2; }
const log = [];
function it() { log.push('it'); return [3, 4]; }
console.log(sum(...gen(), 10, ...it()), sum(), sum(...[]), log);
