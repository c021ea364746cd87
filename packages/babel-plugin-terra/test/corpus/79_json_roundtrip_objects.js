const data = Array.from({ length: 5 }, (_, i) => ({ id: i, tags: ['t' + i], nested: { ok: i % 2 === 0 } }));
const back = JSON.parse(JSON.stringify(data));
console.log(back.filter((d) => d.nested.ok).map((d) => d.id + d.tags[0]).join(';'));
