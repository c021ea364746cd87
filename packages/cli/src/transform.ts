import * as fs from 'fs';
import * as path from 'path';
import { transformSync } from '@babel/core';
import terraPlugin, { isInstrumented, shouldInstrument } from 'babel-plugin-terra';
import { asSyntaxError } from './syntax_error';

export interface TransformOptions {
  root: string;
  instrument: string[];
  /** 'commonjs' turns ES import/export into require (as babel-node does); 'module' keeps ES modules. */
  target: 'commonjs' | 'module';
}

/** Whether a file is instrumented: user code always, node_modules only for the named packages. */
export function wantsTransform(filename: string, instrument: string[]): boolean {
  return shouldInstrument(filename, instrument);
}

/** Instruments one file (and strips TypeScript, and turns ES modules into CommonJS when asked). */
export function transformSource(code: string, filename: string, opts: TransformOptions): string {
  if (isInstrumented(code)) return code; // already built with the plugin (a Babel build step)
  const ext = path.extname(filename);
  const isTs = ext === '.ts' || ext === '.cts' || ext === '.mts';
  let result;
  try {
    result = transformSync(code, {
      filename,
      babelrc: false,
      configFile: false,
      sourceType: ext === '.cjs' || ext === '.cts' ? 'script' : ext === '.mjs' || ext === '.mts' ? 'module' : 'unambiguous',
      sourceMaps: 'inline',
      retainLines: false,
      compact: false,
      comments: true,
      parserOpts: { allowReturnOutsideFunction: opts.target === 'commonjs', allowAwaitOutsideFunction: opts.target === 'module' },
      presets: isTs ? [[require.resolve('@babel/preset-typescript'), { onlyRemoveTypeImports: false }]] : [],
      plugins: [
        [terraPlugin, { root: opts.root, instrument: opts.instrument }],
        ...(opts.target === 'commonjs' ? [[require.resolve('@babel/plugin-transform-modules-commonjs'), { importInterop: 'node', loose: false }]] : []),
      ],
    });
  } catch (e) {
    // A syntax error of a required file reads like Node's own (see syntax_error.ts).
    throw asSyntaxError(e, code, filename);
  }
  return result?.code ?? code;
}

/** The directory site ids are relative to: the nearest ancestor of the script with a package.json. */
export function projectRoot(script: string): string {
  let dir = path.dirname(path.resolve(script));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.dirname(path.resolve(script));
    dir = parent;
  }
}
