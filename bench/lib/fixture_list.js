// The fixtures to benchmark: every directory of fixtures/ with a train.js and a README.md (the fixture
// contract of issue 5). The mlp demo has no README and is left out unless named with --fixtures.
// packages/cli/test/fixtures_differential.test.ts applies the same rule.
const fs = require('fs');
const path = require('path');

function discoverFixtures(repo, only) {
  const dir = path.join(repo, 'fixtures');
  const names = only ?? fs.readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && ['train.js', 'README.md'].every((f) => fs.existsSync(path.join(dir, d.name, f))))
    .map((d) => d.name)
    .sort();
  return names.map((name) => {
    const script = path.join('fixtures', name, 'train.js');
    if (!fs.existsSync(path.join(repo, script))) throw new Error(`no fixture ${name}: ${script} does not exist`);
    return { name, script };
  });
}

module.exports = { discoverFixtures };
