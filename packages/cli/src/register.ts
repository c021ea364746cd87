/**
 * `node -r @terrajs/cli/register script.js`: the same as `terra run`, configured by environment variables
 * (TERRA_MODE, TERRA_STATS, TERRA_STATS_JSON, TERRA_DUMP, TERRA_INSTRUMENT, TERRA_ROOT; see docs/cli.md).
 * The wasm backend initializes asynchronously: under -r the script must `await tf.ready()` before its first op.
 */
import * as path from 'path';
import { ConfigError, configFromEnv } from './config';
import { exitIfUnsupportedNode } from './node_version';
import { unreadableReason } from './script_access';
import { validateCheck } from './check_mode';
import { installHooks, reportAtExit, selectBackend } from './setup';
import { projectRoot } from './transform';

function register(): void {
  exitIfUnsupportedNode();
  let config;
  try {
    config = configFromEnv();
    validateCheck(!!config.check, config.mode, 'TERRA_CHECK');
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`terra: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const start = process.hrtime.bigint();
  const main = process.argv[1] ? path.resolve(process.argv[1]) : process.cwd() + path.sep;
  const unreadable = process.argv[1] ? unreadableReason(main) : undefined;
  if (unreadable) {
    process.stderr.write(`terra: cannot read script '${process.argv[1]}': ${unreadable}\n`);
    process.exit(2);
  }
  config.root ??= projectRoot(main);
  installHooks(config, config.root);
  const { selected, ready } = selectBackend(config);
  ready.catch((e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  });
  reportAtExit(config, selected, start);
}

register();
