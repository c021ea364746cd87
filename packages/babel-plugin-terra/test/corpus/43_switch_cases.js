function f(x) {
  const out = [];
  switch (x) {
    case 1: out.push('one');
    case 2: { out.push('two'); break; }
    case g(): out.push('g'); break;
    default: out.push('default');
    case 4: out.push('four');
  }
  return out.join('+');
}
function g() { return 3; }
console.log([1, 2, 3, 4, 5].map(f));
