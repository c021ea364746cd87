/**
 * Stack traces are source-mapped for the program's own (instrumented) code, not for its dependencies:
 * with maps enabled, Node reads and keeps the map of every module that names one, and tfjs's bundles
 * name about 10 MB of them (tf.node.js alone 5.7 MB), which cost `terra run` some 150-200 ms at start
 * and 20 MB of heap that every full GC walks. A dependency's frames show its bundle's lines, as they
 * do under plain `node`.
 */
const MARK = '//# sourceMappingURL=';

/** The code without its source-map comment, if its last line is one (the code itself is unchanged). */
export function withoutSourceMapComment(code: string): string {
  const at = code.lastIndexOf(MARK);
  if (at < 0) return code;
  const end = code.indexOf('\n', at);
  // The same text before the last line is code or a string, not the module's map.
  if (end >= 0 && code.slice(end).trim() !== '') return code;
  return code.slice(0, at);
}
