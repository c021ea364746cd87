// The differential suite for co-execution: each program in coexec_programs/ is a plain tfjs program (no
// reference to Terra) exercising one JS feature around tensor code. Each runs with `--mode eager` and with
// `--mode terra` and must agree, having really co-executed (see differential.ts).
//
// The programs are copied into a scratch directory before running: files under packages/cli are Terra's
// own package and are never instrumented, so run in place they would have no loop hooks and no sites.
import * as fs from 'fs';
import * as path from 'path';
import { expectEagerTerraAgree } from './differential';
import { scratch } from './helpers';

const PROGRAMS_DIR = path.join(__dirname, 'coexec_programs');

interface Case {
  name: string;
  /** A whole iteration is known to diverge: a path first taken after co-execution started. */
  diverges?: boolean;
}

const CASES: Case[] = [
  { name: 'if_while_break', diverges: true }, // the `if` flips at step 30, long after co-execution starts
  { name: 'prng_path', diverges: true }, // the L1 term is first taken at step 20
  { name: 'third_party_indices' },
  { name: 'object_map_mutation' },
  { name: 'carried_tensors' },
  { name: 'exceptions' },
  { name: 'generators_async' },
  { name: 'shape_changes', diverges: true }, // every 3 epochs the sequence grows: a new unrolled path
  { name: 'nested_tidy' },
  { name: 'two_optimizers' },
  { name: 'layers_fit_callbacks' },
  { name: 'fit_dataset' },
  { name: 'custom_loop_optimizers' },
  { name: 'inference_loop' },
];

let dir: string;
beforeAll(() => {
  const files: Record<string, string> = {};
  for (const c of CASES) files[`${c.name}.js`] = fs.readFileSync(path.join(PROGRAMS_DIR, `${c.name}.js`), 'utf8');
  dir = scratch(files);
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('every program in coexec_programs/ has a case', () => {
  const onDisk = fs.readdirSync(PROGRAMS_DIR).filter((f) => f.endsWith('.js')).map((f) => f.replace(/\.js$/, '')).sort();
  expect(onDisk).toEqual(CASES.map((c) => c.name).sort());
});

describe('terra co-execution matches eager execution', () => {
  test.each(CASES)('$name', ({ name, diverges }) => {
    expectEagerTerraAgree({ name, cwd: dir, script: `${name}.js`, statsFile: path.join(dir, `${name}.stats.json`), diverges });
  }, 120000);
});
