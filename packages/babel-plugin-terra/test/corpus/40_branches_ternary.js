const f = (x) => (x > 0 ? (x > 10 ? 'big' : 'small') : x < 0 ? 'neg' : 'zero');
let n = 0; const g = () => (n++ ? 'again' : 'first');
console.log([-2, 0, 3, 30].map(f), g(), g(), n);
