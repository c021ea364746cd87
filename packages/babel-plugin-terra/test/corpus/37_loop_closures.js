const fs = [];
for (let i = 0; i < 3; i++) fs.push(() => i);
for (var j = 0; j < 3; j++) fs.push(() => j);
for (const k of [7, 8]) fs.push(() => k);
console.log(fs.map((f) => f()));
