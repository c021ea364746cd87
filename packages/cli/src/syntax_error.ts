import { codeFrameColumns } from '@babel/code-frame';

interface BabelParseError extends Error {
  code?: string;
  loc?: { line: number; column: number };
}

/**
 * A Babel parse error of a file being required, as the SyntaxError Node would throw for it: the file
 * and position, the reason and a code frame, and a stack of the program's own frames only (Babel's
 * sixty parser frames say nothing to the user). Other errors are returned unchanged.
 */
export function asSyntaxError(e: unknown, code: string, filename: string): unknown {
  const err = e as BabelParseError;
  if (!(err instanceof Error) || err.code !== 'BABEL_PARSE_ERROR') return e;
  const loc = err.loc;
  const reason = (err.message.split('\n')[0] ?? 'syntax error').replace(/^.*?: /, '').replace(/\s*\(\d+:\d+\)$/, '');
  const where = loc ? `${filename}:${loc.line}:${loc.column + 1}` : filename;
  const frame = loc ? `\n\n${codeFrameColumns(code, { start: { line: loc.line, column: loc.column + 1 } }, { highlightCode: false })}\n` : '';
  const out = new SyntaxError(`${where}: ${reason}${frame}`);
  // Kept for callers that point at the position (checkSyntax); not shown when Node prints the error.
  Object.defineProperty(out, 'loc', { value: loc, enumerable: false });
  const own = (out.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l) && !/node_modules|node:internal|[\\/]packages[\\/]cli[\\/]/.test(l));
  out.stack = [`SyntaxError: ${out.message}`, ...own].join('\n');
  return out;
}
