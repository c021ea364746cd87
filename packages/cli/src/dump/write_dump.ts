/**
 * `--dump <dir>` (docs/cli.md#--dump): at exit, every compiled segment as an ONNX model
 * (`segmentN.onnx`, the model segment generation built, before ORT's optimizations: it opens in Netron
 * and loads in any ONNX Runtime), the TraceGraph as DOT and SVG, and `index.html` linking them with a
 * summary of the segments (kernels, inputs, outputs, runs).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { coexecution, trace } from '@terrajs/runtime';
import { segmentColour, traceGraphDot } from './graph_dot';
import { renderSvg } from './render_svg';

type SegmentInfo = coexecution.SegmentInfo;

export interface DumpSource {
  mode: string;
  exitCode: number;
  segments: readonly SegmentInfo[];
  graph?: trace.TraceGraph;
  counters?: { iterations: { total: number; traced: number; coexecuted: number; diverged: number }; divergenceCount: number };
}

/** What the runtime can tell a dump (nothing if co-execution did not run). */
export function dumpSource(runtime: { coexecution: typeof coexecution } | undefined, mode: string, exitCode: number): DumpSource {
  const co = runtime?.coexecution;
  return { mode, exitCode, segments: co?.compiledSegments() ?? [], graph: co?.traceGraph(), counters: co?.stats() };
}

/** Writes the dump; returns the files written (relative to dir). Throws only if dir cannot be written. */
export function writeDump(dir: string, source: DumpSource): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const write = (name: string, data: string | Uint8Array) => {
    fs.writeFileSync(path.join(dir, name), data);
    files.push(name);
  };
  for (const s of source.segments) write(`${s.name}.onnx`, s.model);
  let notes: string[] = [];
  let drawing = '';
  if (source.graph && source.graph.nodes.length > 0) {
    const { dot, notes: n, branches } = traceGraphDot(source.graph, source.segments);
    notes = n;
    write('tracegraph.dot', dot);
    const svg = renderSvg(dot);
    if ('svg' in svg) {
      write('tracegraph.svg', svg.svg);
      drawing = `<p>${source.graph.nodes.length} nodes, ${branches} branch points (red outline; edges out of them say how many traces took them), ` +
        'fill colour: the first segment holding the kernel, grey dashed: graph break. ' +
        '<a href="tracegraph.svg">tracegraph.svg</a> (hover a box for its call path, inputs and segments), ' +
        '<a href="tracegraph.dot">tracegraph.dot</a></p>\n<p><img src="tracegraph.svg" alt="the TraceGraph" style="max-width:100%"></p>';
    } else {
      notes.push(svg.error);
      drawing = '<p>The drawing could not be made; <a href="tracegraph.dot">tracegraph.dot</a> holds the graph in DOT.</p>';
    }
  } else {
    drawing = `<p>No TraceGraph: ${source.mode === 'static' ? 'static mode records one iteration and replays it by position' : 'co-execution did not run'}.</p>`;
  }
  write('index.html', indexHtml(source, drawing, notes));
  return files;
}

function indexHtml(source: DumpSource, drawing: string, notes: string[]): string {
  const it = source.counters?.iterations;
  const rows = source.segments.map((s, i) => `<tr>
  <td style="background:${segmentColour(i)}"><a href="${s.name}.onnx">${s.name}.onnx</a></td>
  <td>${s.kernels.length}<br><small>${esc(kernelCounts(s.kernels))}</small></td>
  <td><small>${esc(sigs(s.inputs))}</small></td>
  <td><small>${esc(sigs(s.outputs))}</small></td>
  <td>${s.runs}</td></tr>`).join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>terra dump</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}small{color:#444}</style>
</head><body>
<h1>terra dump</h1>
<p>mode ${esc(source.mode)}, exit code ${source.exitCode}${it ? `; ${it.total} iterations (${it.traced} traced, ${it.coexecuted} co-executed, ${it.diverged} diverged), ` +
    `${source.counters!.divergenceCount} divergences` : ''}; ${source.segments.length} segments compiled.</p>
${notes.length ? `<ul>${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<h2>Segments</h2>
${source.segments.length ? `<p>Each is the ONNX model Terra generated (before ONNX Runtime's optimizations): it opens in Netron and loads in ONNX Runtime.</p>
<table><tr><th>model</th><th>kernels</th><th>inputs</th><th>outputs</th><th>runs</th></tr>
${rows}
</table>` : '<p>None.</p>'}
<h2>TraceGraph</h2>
${drawing}
</body></html>
`;
}

function kernelCounts(kernels: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const k of kernels) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
}

/** Signatures, with long lists cut (a segment can take hundreds of inputs). */
function sigs(list: ReadonlyArray<{ dtype: string; shape: readonly number[] }>): string {
  const shown = list.slice(0, 12).map((s) => `${s.dtype}[${s.shape.join(',')}]`).join(', ');
  return `${list.length}: ${shown}${list.length > 12 ? `, ... (${list.length - 12} more)` : ''}`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Writes the dump when the process exits, whatever the exit code; `runtime`: the terra backend was used. */
export function dumpAtExit(dir: string, mode: string, runtime: boolean): void {
  process.on('exit', (code) => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const rt = runtime ? (require('@terrajs/runtime') as { coexecution: typeof coexecution }) : undefined;
      writeDump(dir, dumpSource(rt, mode, code));
    } catch (e) {
      process.stderr.write(`terra: cannot write --dump ${dir}: ${(e as Error).message}\n`);
    }
  });
}
