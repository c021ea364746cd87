// The evaluation programs of fixtures/ (issue 5), each run briefly with `--mode eager` and with
// `--mode terra`: they must print the same thing (numbers within float tolerance) and terra must have
// co-executed (see differential.ts). A fixture is a directory of fixtures/ with a train.js and a
// README.md (the fixture contract; bench/fixtures.js uses the same rule; the mlp demo has no README).
//
// Fixtures run in place: fixtures/ is user code to the CLI, so it is instrumented where it lies.
// Iterations: enough to trace, reach co-execution (after 2 stable traces) and co-execute several
// iterations, few enough that ten fixtures stay within a few minutes on 2 cores.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expectEagerTerraAgree } from './differential';
import { REPO } from './helpers';

const ITERATIONS = 12;
/**
 * sdpoint draws one of 11 downsampling configurations per step: in 12 steps it is still meeting new
 * paths (9 traced, the rest diverging), so it needs more steps before whole iterations co-execute.
 */
const ITERATIONS_FOR: Record<string, number> = { sdpoint: 30 };
const FIXTURES_DIR = path.join(REPO, 'fixtures');

const fixtures = fs.readdirSync(FIXTURES_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory() && ['train.js', 'README.md'].every((f) => fs.existsSync(path.join(FIXTURES_DIR, d.name, f))))
  .map((d) => d.name)
  .sort();

let statsDir: string;
beforeAll(() => {
  statsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'terra-fixtures-'));
});
afterAll(() => {
  if (statsDir) fs.rmSync(statsDir, { recursive: true, force: true });
});

test('fixtures are found', () => {
  expect(fixtures.length).toBeGreaterThan(0);
});

describe(`fixtures: terra matches eager over ${ITERATIONS} iterations (more where a fixture needs them)`, () => {
  test.each(fixtures)('%s', (name) => {
    expectEagerTerraAgree({
      name,
      cwd: REPO,
      script: path.join('fixtures', name, 'train.js'),
      args: [String(ITERATIONS_FOR[name] ?? ITERATIONS)],
      statsFile: path.join(statsDir, `${name}.stats.json`),
    });
  }, 240000);
});
