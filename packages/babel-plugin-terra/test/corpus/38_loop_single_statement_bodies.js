let n = 0;
for (let i = 0; i < 3; i++) if (i % 2) n += 10; else n += 1;
while (n < 100) n *= 2;
for (const x of [1]) label: { n += x; break label; }
console.log(n);
