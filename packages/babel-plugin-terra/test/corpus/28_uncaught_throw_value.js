function thrower() { throw { code: 42, toString() { return 'custom'; } }; }
console.log('before');
thrower();
