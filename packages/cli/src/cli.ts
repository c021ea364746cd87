/** The `terra` command. */
import * as fs from 'fs';
import * as path from 'path';
import { codeFrameColumns } from '@babel/code-frame';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, MODES, Mode, SEGMENT_OPTIMIZATIONS, SegmentOptimizationLevel, TerraConfig, parseCount, parseMode, parseSegmentOptimization } from './config';
import { validateCheck } from './check_mode';
import { unreadableReason } from './script_access';
import { installHooks, reportAtExit, selectBackend } from './setup';
import { projectRoot, transformSource, wantsTransform } from './transform';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const Module = require('module') as { runMain(): void };
// eslint-disable-next-line @typescript-eslint/no-var-requires
const VERSION = (require('../package.json') as { version: string }).version;

/** Exit code for bad usage and bad input (unknown option, missing script, syntax error). */
export const USAGE_ERROR = 2;

class UsageError extends Error {}

function fail(message: string, detail?: string): never {
  process.stderr.write(`terra: ${message}\n`);
  if (detail) process.stderr.write(detail.endsWith('\n') ? detail : detail + '\n');
  process.exit(USAGE_ERROR);
}

const SCRIPT_EXTS = ['.js', '.cjs', '.mjs', '.ts', '.cts', '.mts'];

/** Parses and instruments the main script up front, so that a syntax error is reported before anything runs. */
function checkSyntax(script: string, root: string, instrument: string[]): void {
  if (!wantsTransform(script, instrument)) return;
  const code = fs.readFileSync(script, 'utf8');
  const ext = path.extname(script);
  try {
    transformSource(code, script, { root, instrument, target: ext === '.mjs' || ext === '.mts' ? 'module' : 'commonjs' });
  } catch (e) {
    const err = e as Error & { loc?: { line: number; column: number }; reasonCode?: string };
    const loc = err.loc;
    const reason = (err.message.split('\n')[0] ?? 'syntax error').replace(/^.*?: /, '').replace(/\s*\(\d+:\d+\)$/, '');
    const where = loc ? `${script}:${loc.line}:${loc.column + 1}` : script;
    const frame = loc ? codeFrameColumns(code, { start: { line: loc.line, column: loc.column + 1 } }, { highlightCode: false }) : undefined;
    fail(`syntax error in ${where}: ${reason}`, frame);
  }
}

function program(): Command {
  const cmd = new Command('terra')
    .description('Run an unmodified TensorFlow.js program under Terra (imperative-symbolic co-execution on ONNX Runtime)')
    .version(VERSION, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: (s) => process.stdout.write(s) })
    .showSuggestionAfterError(false);
  cmd
    .command('run')
    .description('run a script (.js, .cjs, .mjs, .ts); arguments after the script are passed to it')
    .argument('<script>', 'the program to run')
    .argument('[args...]', 'arguments for the script')
    .addOption(new Option('--mode <mode>', `execution mode: ${MODES.join('|')}`).default('terra'))
    .option('--stats', 'print a readable summary on stderr at exit')
    .option('--stats-json <file>', 'write a machine-readable summary to <file> at exit')
    .option('--check', 'shadow every co-executed iteration eagerly, compare values read and final state; exit 3 on a mismatch')
    .option('--dump <dir>', 'write graph dumps to <dir>')
    .option('--ep <provider>', 'ONNX Runtime execution provider for compiled segments (e.g. cpu, cuda)', 'cpu')
    .option('--cache-dir <dir>', 'directory of the compiled-graph cache (default <project>/node_modules/.cache/terra)')
    .option('--no-cache', 'do not read or write the compiled-graph cache')
    .option('--cache-max-mb <n>', 'size bound of the compiled-graph cache in MiB (least recently used entries go first)', '256')
    .option('--no-progress', 'never draw the compile progress bar (it is drawn on a TTY only, for compiles over 300 ms)')
    .option('--stable-after <n>', 'start co-executing after <n> iterations in a row that add no new path', '2')
    .addOption(new Option('--segment-optimization <level>', `ONNX Runtime's graph optimization of compiled segments: ${SEGMENT_OPTIMIZATIONS.join('|')}`)
      .default('disabled'))
    .option('--instrument <pkg>', 'also instrument a package from node_modules (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .passThroughOptions()
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: (s) => process.stdout.write(s) })
    .action(async (script: string, args: string[], opts: RunOptions) => {
      await run(script, args, opts);
    });
  return cmd;
}

interface RunOptions {
  mode: string;
  stats?: boolean;
  statsJson?: string;
  dump?: string;
  ep: string;
  stableAfter: string;
  instrument: string[];
  cache: boolean;
  cacheDir?: string;
  cacheMaxMb: string;
  segmentOptimization: string;
  progress: boolean;
  check?: boolean;
}

async function run(script: string, args: string[], opts: RunOptions): Promise<void> {
  let mode: Mode;
  let stableAfter: number;
  let cacheMaxMb: number;
  let segmentOptimization: SegmentOptimizationLevel;
  try {
    mode = parseMode(opts.mode);
    stableAfter = parseCount(opts.stableAfter, '--stable-after');
    cacheMaxMb = parseCount(opts.cacheMaxMb, '--cache-max-mb');
    segmentOptimization = parseSegmentOptimization(opts.segmentOptimization, '--segment-optimization');
    validateCheck(!!opts.check, mode, '--check');
  } catch (e) {
    throw new UsageError((e as ConfigError).message);
  }
  const abs = path.resolve(script);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) throw new UsageError(`cannot find script '${script}'`);
  if (!SCRIPT_EXTS.includes(path.extname(abs))) throw new UsageError(`cannot run '${script}': expected a .js, .cjs, .mjs or .ts file`);
  const unreadable = unreadableReason(abs);
  if (unreadable) throw new UsageError(`cannot read script '${script}': ${unreadable}`);
  const root = projectRoot(abs);
  const config: TerraConfig = {
    mode, stats: !!opts.stats, statsJson: opts.statsJson, dump: opts.dump, instrument: opts.instrument, ep: opts.ep, stableAfter,
    root, cache: opts.cache, cacheDir: opts.cacheDir, cacheMaxMb, progress: opts.progress ? 'auto' : 'never',
    check: !!opts.check, segmentOptimization,
  };
  checkSyntax(abs, root, config.instrument);

  const start = process.hrtime.bigint();
  installHooks(config, root);
  const { selected, ready } = selectBackend(config);
  await ready;
  reportAtExit(config, selected, start);
  // The script sees what `node script args...` would give it.
  process.argv = [process.argv[0], abs, ...args];
  Module.runMain();
}

/** Entry point of bin/terra. */
export async function main(argv: string[]): Promise<void> {
  const cmd = program();
  try {
    if (argv.length <= 2) {
      process.stdout.write(cmd.helpInformation());
      return;
    }
    await cmd.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') process.exit(0);
      const msg = e.message.replace(/^error: /, '');
      if (e.code === 'commander.missingArgument') fail(`missing script (usage: terra run [options] <script> [args...])`);
      fail(`${msg} (see terra --help)`);
    }
    if (e instanceof UsageError) fail(e.message);
    throw e;
  }
}
