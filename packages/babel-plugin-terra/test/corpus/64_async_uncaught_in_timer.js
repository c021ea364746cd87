function later() { return new Promise((_, rej) => setTimeout(() => rej(new SyntaxError('late')), 1)); }
globalThis.__done = later();
