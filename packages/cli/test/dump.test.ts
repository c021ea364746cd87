// `terra run --dump <dir>`: every compiled segment as an ONNX model ORT loads, the TraceGraph as an SVG
// that parses and shows the program's branches, and an index.html whose links all resolve. Plus the
// drawing of a large TraceGraph: long straight runs collapse and the number of boxes is capped.
import * as fs from 'fs';
import * as path from 'path';
import { DOMParser } from '@xmldom/xmldom';
import { InferenceSession } from 'onnxruntime-node';
import { trace } from '@terrajs/runtime';
import { traceGraphDot } from '../src/dump/graph_dot';
import { REPO, scratch, terra } from './helpers';

let dir: string;
beforeAll(() => {
  dir = scratch({
    'train.js': fs.readFileSync(path.join(REPO, 'fixtures/mlp/train.js'), 'utf8'),
    'if_while_break.js': fs.readFileSync(path.join(__dirname, 'coexec_programs/if_while_break.js'), 'utf8'),
  });
});

/** Runs the script with --dump and checks what every dump must hold; returns the dump's directory and SVG. */
async function dumped(script: string, args: string[], env: Record<string, string> = {}): Promise<{ out: string; svg: Document; html: string }> {
  const out = path.join(dir, `dump-${script}`);
  const r = terra(dir, ['run', '--no-cache', '--dump', out, script, ...args], env);
  expect(r.status).toBe(0);
  const files = fs.readdirSync(out);
  const models = files.filter((f) => f.endsWith('.onnx'));
  expect(models.length).toBeGreaterThan(0);
  for (const m of models) {
    const session = await InferenceSession.create(path.join(out, m));
    expect(session.inputNames.length + session.outputNames.length).toBeGreaterThan(0);
    await session.release();
  }
  const errors: string[] = [];
  const svg = new DOMParser({ onError: (level, msg) => { if (level !== 'warning') errors.push(msg); } })
    .parseFromString(fs.readFileSync(path.join(out, 'tracegraph.svg'), 'utf8'), 'image/svg+xml') as unknown as Document;
  expect(errors).toEqual([]);
  expect(svg.documentElement.nodeName).toBe('svg');
  const html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
  const links = [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1]);
  for (const m of models) expect(links).toContain(m);
  expect(links).toContain('tracegraph.svg');
  for (const l of links) expect(fs.existsSync(path.join(out, l))).toBe(true);
  return { out, svg, html };
}

/** The SVG's edges as [from, to] by Graphviz node name (each <g class="edge"> has a <title>a->b</title>). */
function edges(svg: Document): Array<[string, string]> {
  return [...Array.from(svg.getElementsByTagName('g'))]
    .filter((g) => g.getAttribute('class') === 'edge')
    .map((g) => g.getElementsByTagName('title')[0].textContent!.split('->') as [string, string]);
}

function nodeLabels(svg: Document): Map<string, string> {
  const labels = new Map<string, string>();
  for (const g of Array.from(svg.getElementsByTagName('g'))) {
    if (g.getAttribute('class') !== 'node') continue;
    const name = g.getElementsByTagName('title')[0].textContent!;
    labels.set(name, Array.from(g.getElementsByTagName('text')).map((t) => t.textContent).join(' '));
  }
  return labels;
}

test('the MLP fixture: segments load in ORT, the SVG parses, index.html summarizes and links them', async () => {
  const { html, svg } = await dumped('train.js', ['8']);
  expect(html).toMatch(/segment0\.onnx/);
  expect(html).toMatch(/<th>kernels<\/th><th>inputs<\/th><th>outputs<\/th><th>runs<\/th>/);
  expect(html).toMatch(/co-executed/);
  const labels = [...nodeLabels(svg).values()].join('\n');
  expect(labels).toMatch(/_FusedMatMul|BatchMatMul/);
  expect(labels).toMatch(/train\.js:\d+:\d+/);
});

test('a program with branches: the SVG shows a node with two ways on, labelled by how many traces took each', async () => {
  const { svg } = await dumped('if_while_break.js', []);
  const out = new Map<string, Set<string>>();
  for (const [a, b] of edges(svg)) out.set(a, (out.get(a) ?? new Set()).add(b));
  const branches = [...out].filter(([a, to]) => a.startsWith('n') && to.size > 1);
  expect(branches.length).toBeGreaterThan(0);
  const labels = nodeLabels(svg);
  expect(labels.get(branches[0][0])).toMatch(/if_while_break\.js:\d+:\d+/);
  const edgeTexts = Array.from(svg.getElementsByTagName('g')).filter((g) => g.getAttribute('class') === 'edge')
    .map((g) => Array.from(g.getElementsByTagName('text')).map((t) => t.textContent).join(''));
  expect(edgeTexts.some((t) => /^\d+x$/.test(t))).toBe(true);
});

test('TERRA_DUMP is --dump for the register entry; without co-execution the index says so', () => {
  const out = path.join(dir, 'dump-eager');
  const r = terra(dir, ['run', '--mode', 'eager', '--dump', out, 'train.js', '2']);
  expect(r.status).toBe(0);
  expect(fs.readFileSync(path.join(out, 'index.html'), 'utf8')).toMatch(/co-execution did not run/);
  const reg = path.join(dir, 'dump-register');
  const { spawnSync } = require('child_process') as typeof import('child_process');
  const run = spawnSync(process.execPath, ['-r', '@terrajs/cli/register', 'train.js', '6'], { cwd: dir, encoding: 'utf8',
    env: { ...process.env, TERRA_DUMP: reg, TERRA_CACHE: '0' } });
  expect(run.status).toBe(0);
  expect(fs.readdirSync(reg)).toEqual(expect.arrayContaining(['index.html', 'segment0.onnx', 'tracegraph.svg', 'tracegraph.dot']));
});

/** A trace: a long chain of kernels at one call site, then one of two tails. */
function syntheticTrace(length: number, tail: string): trace.Trace {
  const kernels: trace.TracedKernel[] = [];
  const push = (kernelName: string) => {
    const index = kernels.length;
    kernels.push({
      index, sitePath: ['big.js:1:1'], ordinal: index, kernelName, attrs: '{}',
      inputs: [{ name: 'x', dtype: 'float32', shape: [2], from: index ? { kind: 'op', op: index - 1, output: 0 } : { kind: 'variable', name: 'v' } }],
      outputs: [{ dtype: 'float32', shape: [2] }],
    });
  };
  for (let i = 0; i < length; i++) push(i % 2 ? 'Add' : 'Multiply');
  push(tail);
  return { kernels, feeds: [], fetches: [] };
}

test('a large TraceGraph stays drawable: long runs collapse, the boxes are capped, and the notes say so', () => {
  const g = new trace.TraceGraph();
  g.merge(syntheticTrace(500, 'Relu'));
  g.merge(syntheticTrace(500, 'Sigmoid'));
  const full = traceGraphDot(g, []);
  expect(full.branches).toBe(1);
  expect(full.notes.join(' ')).toMatch(/straight runs of more than 12 kernels are drawn as one box each/);
  expect((full.dot.match(/shape=box3d/g) ?? []).length).toBe(1);
  expect(full.dot).toMatch(/497 kernels\\nAdd 249, Multiply 248/);
  const capped = traceGraphDot(g, [], { maxChain: 1000, maxNodes: 50 });
  expect(capped.notes.join(' ')).toMatch(/only the first 50 of 502 boxes are drawn/);
  expect((capped.dot.match(/^ {2}n\d+ \[/gm) ?? []).length).toBe(50);
});
