/**
 * The TraceGraph as Graphviz DOT, for `--dump` (docs/cli.md#--dump): one box per kernel-at-site labelled
 * by kernel and call site, the traces' edges with how many traces took each where the path branches,
 * segments marked by fill colour, graph breaks dashed. Large graphs stay readable: a straight run of
 * more than `maxChain` kernels of one segment is drawn as its two ends and one box saying what it
 * holds, and at most `maxNodes` boxes are drawn (in path order from the start), with a note saying so.
 */
import type { coexecution, trace } from '@terrajs/runtime';

type TraceGraph = trace.TraceGraph;
type GraphNode = trace.GraphNode;

export interface DotOptions {
  /** Straight runs longer than this are collapsed (default 12). */
  maxChain?: number;
  /** Boxes drawn at most (default 600). */
  maxNodes?: number;
}

export interface DotResult {
  dot: string;
  /** What was left out or collapsed, said on the index page too. */
  notes: string[];
  /** Nodes that are branch points (more than one way on). */
  branches: number;
}

const PALETTE = ['#8dd3c7', '#ffffb3', '#bebada', '#fb8072', '#80b1d3', '#fdb462', '#b3de69', '#fccde5', '#bc80bd', '#ccebc5', '#ffed6f', '#d9d9d9'];

export function segmentColour(i: number): string {
  return PALETTE[i % PALETTE.length];
}

/** A drawn box: one node, or a collapsed run of them. */
type Box = { kind: 'node'; node: GraphNode } | { kind: 'chain'; nodes: GraphNode[] };

export function traceGraphDot(graph: TraceGraph, segments: readonly coexecution.SegmentInfo[], options: DotOptions = {}): DotResult {
  const maxChain = options.maxChain ?? 12;
  const maxNodes = options.maxNodes ?? 600;
  const notes: string[] = [];
  const segmentOf = new Map<number, number[]>();
  segments.forEach((s, i) => new Set(s.nodes).forEach((n) => segmentOf.set(n, [...(segmentOf.get(n) ?? []), i])));
  const preds = new Map<number, number>();
  for (const id of graph.starts.keys()) preds.set(id, (preds.get(id) ?? 0) + 1);
  for (const n of graph.nodes) for (const id of n.next.keys()) preds.set(id, (preds.get(id) ?? 0) + 1);
  const ways = (n: GraphNode) => n.next.size + (n.ends > 0 ? 1 : 0);
  const firstSegment = (n: GraphNode) => segmentOf.get(n.id)?.[0] ?? -1;

  // Collapse straight runs: nodes with one way in and one way on, of one segment, not breaks.
  const boxOf = new Map<number, number>();
  const boxes: Box[] = [];
  const inner = (n: GraphNode) => ways(n) === 1 && n.ends === 0 && preds.get(n.id) === 1 && !n.breaks;
  const order = pathOrder(graph);
  for (const id of order) {
    if (boxOf.has(id)) continue;
    const n = graph.nodes[id];
    const run: GraphNode[] = [];
    let cur: GraphNode | undefined = n;
    // A run starts after a node with a single successor and continues while nodes are inner.
    if (ways(n) === 1 && n.ends === 0) {
      cur = graph.nodes[[...n.next.keys()][0]];
      while (cur && !boxOf.has(cur.id) && inner(cur) && firstSegment(cur) === firstSegment(n)) {
        run.push(cur);
        cur = graph.nodes[[...cur.next.keys()][0]];
      }
    }
    boxOf.set(id, boxes.length);
    boxes.push({ kind: 'node', node: n });
    if (run.length > maxChain) {
      const middle = run.slice(0, -1);
      const b = boxes.length;
      for (const m of middle) boxOf.set(m.id, b);
      boxes.push({ kind: 'chain', nodes: middle });
    }
  }
  const collapsed = boxes.filter((b) => b.kind === 'chain');
  if (collapsed.length) {
    notes.push(`${collapsed.length} straight runs of more than ${maxChain} kernels are drawn as one box each ` +
      `(${collapsed.reduce((s, b) => s + (b.kind === 'chain' ? b.nodes.length : 0), 0)} kernels)`);
  }
  const drawn = new Set<number>();
  boxes.slice(0, maxNodes).forEach((_, i) => drawn.add(i));
  if (boxes.length > maxNodes) notes.push(`only the first ${maxNodes} of ${boxes.length} boxes are drawn, in path order from the start`);

  const lines = [
    'digraph TraceGraph {',
    '  graph [rankdir=TB, fontname="Helvetica", fontsize=10, nodesep=0.25, ranksep=0.3];',
    '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=9, height=0.3];',
    '  edge [fontname="Helvetica", fontsize=8, arrowsize=0.6];',
    '  start [shape=circle, label="start", fillcolor="#333333", fontcolor="#ffffff", width=0.5, fixedsize=true];',
  ];
  const anyEnd = graph.nodes.some((n) => n.ends > 0);
  if (anyEnd) lines.push('  end [shape=doublecircle, label="end", fillcolor="#333333", fontcolor="#ffffff", width=0.45, fixedsize=true];');
  boxes.forEach((b, i) => {
    if (!drawn.has(i)) return;
    if (b.kind === 'chain') {
      const seg = firstSegment(b.nodes[0]);
      lines.push(`  b${i} [label=${q(`${b.nodes.length} kernels\n${kernelSummary(b.nodes)}`)}, shape=box3d, ` +
        `fillcolor=${q(seg >= 0 ? segmentColour(seg) : '#ffffff')}, tooltip=${q(b.nodes.map((n) => `${n.id}: ${n.kernel.kernelName}`).join('\n'))}];`);
      return;
    }
    const n = b.node;
    const segs = segmentOf.get(n.id) ?? [];
    const attrs = [
      `label=${q(`${n.kernel.kernelName}\n${site(n)}`)}`,
      `fillcolor=${q(n.breaks ? '#e0e0e0' : segs.length ? segmentColour(segs[0]) : '#ffffff')}`,
      `tooltip=${q(`node ${n.id}: ${n.kernel.kernelName}\ncall path: ${n.kernel.sitePath.join(' > ') || '(none)'}\n` +
        `inputs: ${n.kernel.inputs.map((x) => `${x.dtype}[${x.shape.join(',')}]`).join(', ')}\n` +
        `segments: ${segs.map((s) => segments[s].name).join(', ') || 'none'}${n.breaks ? '\ngraph break: runs on the cpu fallback' : ''}`)}`,
    ];
    if (n.breaks) attrs.push('style="rounded,filled,dashed"');
    if (ways(n) > 1) attrs.push('penwidth=2.5', 'color="#c0392b"');
    lines.push(`  n${n.id} [${attrs.join(', ')}];`);
  });

  const nameOf = (id: number) => {
    const b = boxOf.get(id)!;
    return boxes[b].kind === 'chain' ? `b${b}` : `n${id}`;
  };
  const edges = new Set<string>();
  const edge = (from: string, to: string, count: number, branch: boolean) => {
    const key = `${from}->${to}`;
    if (edges.has(key) || from === to) return;
    edges.add(key);
    lines.push(`  ${from} -> ${to}${branch ? ` [label=${q(`${count}x`)}, color="#c0392b", fontcolor="#c0392b"]` : ''};`);
  };
  const visible = (id: number) => drawn.has(boxOf.get(id)!);
  const startBranch = graph.starts.size > 1;
  for (const [id, count] of graph.starts) if (visible(id)) edge('start', nameOf(id), count, startBranch);
  for (const n of graph.nodes) {
    if (!visible(n.id)) continue;
    const branch = ways(n) > 1;
    for (const [id, count] of n.next) if (visible(id)) edge(nameOf(n.id), nameOf(id), count, branch);
    if (n.ends > 0) edge(nameOf(n.id), 'end', n.ends, branch);
  }
  if (boxes.length > maxNodes) lines.push(`  more [shape=note, label=${q(`${boxes.length - maxNodes} more boxes not drawn`)}];`);
  if (segments.length) {
    lines.push('  subgraph cluster_legend {', '    label="segments"; fontsize=9; style=rounded; color="#999999";');
    segments.forEach((s, i) => lines.push(`    legend${i} [label=${q(`${s.name}: ${s.kernels.length} kernels, ${s.runs} runs`)}, fillcolor=${q(segmentColour(i))}];`));
    lines.push('  }');
  }
  lines.push('}');
  return { dot: lines.join('\n') + '\n', notes, branches: graph.nodes.filter((n) => ways(n) > 1).length + (startBranch ? 1 : 0) };
}

/** Node ids in breadth-first order from the start, then any not reached (there are none in a merged graph). */
function pathOrder(graph: TraceGraph): number[] {
  const seen = new Set<number>();
  const order: number[] = [];
  const queue = [...graph.starts.keys()];
  while (queue.length) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    order.push(id);
    queue.push(...graph.nodes[id].next.keys());
  }
  for (const n of graph.nodes) if (!seen.has(n.id)) order.push(n.id);
  return order;
}

function site(n: GraphNode): string {
  const path = n.kernel.sitePath;
  return path.length ? `${path[path.length - 1]}${n.kernel.ordinal ? ` #${n.kernel.ordinal}` : ''}` : `#${n.kernel.ordinal}`;
}

function kernelSummary(nodes: GraphNode[]): string {
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(n.kernel.kernelName, (counts.get(n.kernel.kernelName) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1]);
  return top.slice(0, 4).map(([k, c]) => `${k} ${c}`).join(', ') + (top.length > 4 ? ', ...' : '');
}

/** A DOT quoted string. */
function q(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
