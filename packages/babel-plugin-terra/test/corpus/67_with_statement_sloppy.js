const o = { f() { return this === o ? 'this is o' : 'other'; }, v: 2 };
with (o) { console.log(f(), v); }
