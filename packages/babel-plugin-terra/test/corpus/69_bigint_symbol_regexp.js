const big = 2n ** 70n; const s = Symbol('s'); const re = /(\d+)-(\d+)/g;
console.log(big.toString(), s.toString(), '1-2 3-4'.replace(re, (m, a, b) => b + a), [...'a1b2'.matchAll(/\d/g)].map((m) => m[0]));
