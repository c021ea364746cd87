// Every example in docs/ runs: the fenced blocks of docs/*.md are run by their info string, as docs/README.md
// describes for contributors (js: a program run with `terra run`; sh: its `terra`, `npx terra` and `node -r`
// lines; `fragment`: not run). Each page gets one scratch directory, shared by its blocks in order. Links between
// pages (files and heading anchors) must resolve too.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO, TERRA, scratch } from './helpers';

const DOCS = path.join(REPO, 'docs');
/** Per example; generous because CI machines are shared (examples take seconds when the machine is free). */
const TIMEOUT_MS = 300_000;

interface Block {
  line: number;
  lang: string;
  words: Set<string>;
  attrs: Map<string, string>;
  body: string;
}

/** The fenced code blocks of a Markdown page, with the line of their opening fence (1-based). */
export function fencedBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, info] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = new RegExp(`^\\s*${fence[0]}{${fence.length},}\\s*$`).exec(lines[j]);
      if (close) break;
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
    }
    const [lang = '', ...rest] = info.trim().split(/\s+/);
    const attrs = new Map<string, string>();
    const words = new Set<string>();
    for (const w of rest) {
      const eq = w.indexOf('=');
      if (eq > 0) attrs.set(w.slice(0, eq), w.slice(eq + 1));
      else if (w) words.add(w);
    }
    blocks.push({ line: i + 1, lang: lang.toLowerCase(), words, attrs, body: body.join('\n') + '\n' });
    i = j;
  }
  return blocks;
}

const JS = new Set(['js', 'javascript']);
const SH = new Set(['sh', 'bash', 'shell']);
const RUNNABLE_COMMAND = /^(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*(?:terra\s|npx\s+terra\s|node\s+-r\s)/;

/** The lines of a shell block that the docs test runs (continuations joined). */
export function runnableCommands(body: string): Array<{ offset: number; command: string }> {
  const out: Array<{ offset: number; command: string }> = [];
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let command = lines[i];
    while (command.endsWith('\\') && i + 1 < lines.length) command = command.slice(0, -1) + ' ' + lines[++i];
    command = command.trim();
    if (RUNNABLE_COMMAND.test(command)) out.push({ offset: start + 1, command: command.replace(/(^|\s)npx\s+terra\s/, '$1terra ') });
  }
  return out;
}

/** A directory with a `terra` command that runs the workspace's CLI. */
function binDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terra-docs-bin-'));
  fs.writeFileSync(path.join(dir, 'terra'), `#!/bin/sh\nexec "${process.execPath}" "${TERRA}" "$@"\n`, { mode: 0o755 });
  return dir;
}

function cleanEnv(bin: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TERRA_')) env[k] = v;
  env.PATH = `${bin}${path.delimiter}${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`;
  return env;
}

function tail(s: string, n = 40): string {
  return s.split('\n').slice(-n).join('\n');
}

const pages = fs.readdirSync(DOCS).filter((f) => f.endsWith('.md')).sort();

describe('fenced blocks', () => {
  it('finds blocks, info words and attributes, and runnable shell lines', () => {
    const md = ['text', '```js file=a.js norun', 'x', '```', '', '  ```sh exit=3', '  FOO=1 terra run a.js \\', '    --stats', '  npm i x', '  ```', '```', 'not code', '```'].join('\n');
    const blocks = fencedBlocks(md);
    expect(blocks.map((b) => [b.line, b.lang])).toEqual([[2, 'js'], [6, 'sh'], [11, '']]);
    expect(blocks[0].attrs.get('file')).toBe('a.js');
    expect(blocks[0].words.has('norun')).toBe(true);
    expect(blocks[1].attrs.get('exit')).toBe('3');
    expect(runnableCommands(blocks[1].body)).toEqual([{ offset: 1, command: 'FOO=1 terra run a.js    --stats' }]);
    expect(runnableCommands('npx terra run x.js\nnode script.js\nnode -r @terrajs/cli/register x.js\n').map((c) => c.command))
      .toEqual(['terra run x.js', 'node -r @terrajs/cli/register x.js']);
  });
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(`{3,}|~{3,})/.test(line)) fenced = !fenced;
    const h = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (h) out.add(slug(h[1]));
  }
  return out;
}

describe('links', () => {
  it.each(pages)('docs/%s links to files and headings that exist', (page) => {
    const text = fs.readFileSync(path.join(DOCS, page), 'utf8').replace(/```[\s\S]*?```/g, '');
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target)) continue; // http:, mailto:
      const [file, anchor] = target.split('#');
      const abs = file ? path.resolve(DOCS, file) : path.join(DOCS, page);
      if (!fs.existsSync(abs)) broken.push(target);
      else if (anchor && abs.endsWith('.md') && !anchors(fs.readFileSync(abs, 'utf8')).has(anchor)) broken.push(target);
    }
    expect(broken).toEqual([]);
  });
});

describe.each(pages)('docs/%s', (page) => {
  const blocks = fencedBlocks(fs.readFileSync(path.join(DOCS, page), 'utf8'))
    .filter((b) => (JS.has(b.lang) || SH.has(b.lang)) && !b.words.has('fragment'));
  if (blocks.length === 0) {
    it('has no runnable examples', () => undefined);
    return;
  }
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    dir = scratch({});
    fs.symlinkSync(path.join(REPO, 'fixtures'), path.join(dir, 'fixtures'), 'dir');
    env = cleanEnv(binDir());
  });

  for (const block of blocks) {
    const where = `docs/${page}:${block.line}`;
    const expected = Number(block.attrs.get('exit') ?? 0);
    if (JS.has(block.lang)) {
      it(`${where} (${block.lang}${block.words.has('node') ? ', node' : ''})`, () => {
        const file = block.attrs.get('file') ?? `example-${block.line}.js`;
        fs.writeFileSync(path.join(dir, file), block.body);
        if (block.words.has('norun')) return;
        const args = block.words.has('node') ? [file] : [TERRA, 'run', file];
        const r = spawnSync(process.execPath, args, { cwd: dir, env, encoding: 'utf8', timeout: TIMEOUT_MS });
        if (r.status !== expected) {
          throw new Error(`${where}: the program exited with ${r.status} (expected ${expected})\n${tail(r.stdout)}\n${tail(r.stderr)}`);
        }
      }, TIMEOUT_MS + 10_000);
    } else {
      for (const { offset, command } of runnableCommands(block.body)) {
        const at = `docs/${page}:${block.line + offset}`;
        it(`${at}: ${command}`, () => {
          const r = spawnSync('bash', ['-c', command], { cwd: dir, env, encoding: 'utf8', timeout: TIMEOUT_MS });
          if (r.status !== expected) {
            throw new Error(`${at}: \`${command}\` exited with ${r.status} (expected ${expected})\n${tail(r.stdout)}\n${tail(r.stderr)}`);
          }
        }, TIMEOUT_MS + 10_000);
      }
    }
  }
});
