// Source maps under `terra run`: the program's own code keeps them (its stack traces show its lines);
// dependencies' maps are not loaded (tfjs's bundles name 10 MB of them).
import { withoutSourceMapComment } from '../src/dependency_source_maps';
import { node, scratch, terra } from './helpers';

describe('withoutSourceMapComment', () => {
  it('drops a source-map comment on the last line, and only there', () => {
    expect(withoutSourceMapComment('a();\n//# sourceMappingURL=a.js.map')).toBe('a();\n');
    expect(withoutSourceMapComment('a();\n//# sourceMappingURL=a.js.map\n\n')).toBe('a();\n');
    const inCode = 'const s = "//# sourceMappingURL=x.map";\nrun(s);\n';
    expect(withoutSourceMapComment(inCode)).toBe(inCode);
    expect(withoutSourceMapComment('a();\n')).toBe('a();\n');
  });
});

test("terra run loads the program's source maps and not its dependencies'", () => {
  const dir = scratch({
    'maps.ts': [
      "const m = require('module');",
      "const tfPath: string = require.resolve('@tensorflow/tfjs');",
      "require('@tensorflow/tfjs');",
      "console.log('tfjs map ' + (m.findSourceMap(tfPath) !== undefined) + ', own map ' + (m.findSourceMap(__filename) !== undefined));",
      '',
    ].join('\n'),
  });
  const r = terra(dir, ['run', '--mode', 'cpu', 'maps.ts']);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe('tfjs map false, own map true\n');
  // Plain node with maps enabled loads tfjs's: what the check above would see without terra's hook.
  const plain = node(dir, ['--enable-source-maps', '-e',
    "require('@tensorflow/tfjs'); console.log(require('module').findSourceMap(require.resolve('@tensorflow/tfjs')) !== undefined)"]);
  expect(plain.stdout).toBe('true\n');
});
