import * as fs from 'fs';
import * as path from 'path';
import { loweredKernels } from '@terrajs/runtime';

// A lowering without a parity test is unchecked against tfjs-backend-cpu. Parity tests name the
// kernels they expect on ORT (often through case tables), so each lowered kernel's name must appear
// as a string literal in some parity test file: a new lowering without a test fails here.
describe('parity coverage', () => {
  it('names every lowered kernel in a parity test', () => {
    const dir = path.join(__dirname, 'parity');
    const text = fs.readdirSync(dir).filter((f) => f.endsWith('.test.ts'))
      .map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
    const named = new Set([...text.matchAll(/'(\w+)'/g)].map((m) => m[1]));
    const missing = loweredKernels().filter((k) => !named.has(k));
    expect(missing).toEqual([]);
  });
});
