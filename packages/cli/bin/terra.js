#!/usr/bin/env node
// The Node.js version is checked before the CLI and its dependencies load.
require('../dist/node_version.js').exitIfUnsupportedNode();
require('../dist/cli.js').main(process.argv);
