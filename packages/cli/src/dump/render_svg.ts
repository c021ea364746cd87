import { spawnSync } from 'child_process';
import * as path from 'path';

/** SVG for the DOT, or why there is none (see render_svg_child.ts). Blocks: called at exit. */
export function renderSvg(dot: string, timeoutMs = 120_000): { svg: string } | { error: string } {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'render_svg_child.js')], {
    input: dot, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (r.status === 0 && r.stdout.includes('<svg')) return { svg: r.stdout };
  const why = r.error?.message ?? (r.stderr.trim() || `exit code ${r.status}`);
  return { error: `Graphviz could not draw the TraceGraph: ${why.split('\n')[0]}` };
}
