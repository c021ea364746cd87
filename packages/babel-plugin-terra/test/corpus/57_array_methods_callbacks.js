const xs = [5, 3, 8, 1];
console.log(xs.map((x, i) => x * i), xs.filter((x) => x > 2), xs.reduce((a, b) => a + b), [...xs].sort((a, b) => a - b), xs.find((x) => x > 6), xs.some((x) => x === 1), xs.flatMap((x) => [x, -x]).length);
