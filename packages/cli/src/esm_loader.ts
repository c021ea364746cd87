/**
 * Node ESM loader hooks (registered with module.register, run in the loader thread): instrument ES modules
 * of user code, and resolve @tensorflow/tfjs-node(-gpu) to terra's shim.
 */
import * as fs from 'fs';
import { fileURLToPath } from 'url';
import { transformSource, wantsTransform } from './transform';

interface LoaderData {
  root: string;
  instrument: string[];
  shimUrl: string;
  exclude: string[];
}

let data: LoaderData | undefined;

export function initialize(d: LoaderData): void {
  data = d;
}

type Next<C, R> = (specifier: string, context: C) => Promise<R>;
interface ResolveResult { url: string; format?: string | null; shortCircuit?: boolean }
interface LoadResult { format: string; source?: string | Buffer | null; shortCircuit?: boolean }

const TFJS_NODE = /^@tensorflow\/tfjs-node(-gpu)?$/;

export async function resolve(specifier: string, context: unknown, next: Next<unknown, ResolveResult>): Promise<ResolveResult> {
  if (data && TFJS_NODE.test(specifier)) return { url: data.shimUrl, format: 'commonjs', shortCircuit: true };
  return next(specifier, context);
}

export async function load(url: string, context: { format?: string | null }, next: Next<unknown, LoadResult>): Promise<LoadResult> {
  const result = await next(url, context);
  if (!data || result.format !== 'module' || !url.startsWith('file:')) return result;
  const filename = fileURLToPath(url);
  if (data.exclude.some((d) => filename.startsWith(d)) || !wantsTransform(filename, data.instrument)) return result;
  const code = result.source == null ? fs.readFileSync(filename, 'utf8') : String(result.source);
  return { format: 'module', source: transformSource(code, filename, { root: data.root, instrument: data.instrument, target: 'module' }), shortCircuit: true };
}
