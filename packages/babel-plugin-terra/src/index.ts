/**
 * babel-plugin-terra: gives every call in user code a stable site id that is current while the call runs,
 * and reports loop iterations and branch decisions to the Terra runtime. The protocol and the reasons for
 * each choice are in docs/plugin.md; the runtime side is packages/runtime/src/hooks.
 */
import * as nodePath from 'path';
import type { NodePath, PluginObj, PluginPass, types as BabelTypes } from '@babel/core';
import type * as T from '@babel/types';

export interface TerraPluginOptions {
  /** Site ids are file paths relative to this directory. Default: Babel's root (the working directory). */
  root?: string;
  /** Packages under node_modules to instrument as well (by package name). Default: none. */
  instrument?: string[];
  /** Give calls sites (default true). */
  calls?: boolean;
  /** Loop-iteration hooks (default true). */
  loops?: boolean;
  /** Branch hooks (default true). */
  branches?: boolean;
}

/** The key under which the runtime keeps the hook state; also how an instrumented file is recognised. */
export const HOOKS_SYMBOL = 'terrajs.hooks';

/** True when `code` already went through this plugin: it starts its bootstrap `globalThis[Symbol.for("terrajs.hooks")] || (...)`. */
export function isInstrumented(code: string): boolean {
  return /Symbol\.for\(["']terrajs\.hooks["']\)\]\s*\|\|/.test(code);
}

/** Decides from a file name and the options whether the plugin instruments the file. */
export function shouldInstrument(filename: string | undefined | null, instrument: readonly string[] = []): boolean {
  if (!filename) return true;
  const norm = filename.split(nodePath.sep).join('/');
  const idx = norm.lastIndexOf('/node_modules/');
  if (idx < 0) return true;
  const rest = norm.slice(idx + '/node_modules/'.length).split('/');
  const pkg = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  return instrument.includes(pkg);
}

type FrameKind = 'function' | 'generator' | 'async' | 'asyncGenerator' | 'program' | 'block';

interface Frame {
  node: T.Node;
  kind: FrameKind;
  /** The frame declares `_td` (its entry depth) and `_tv` (a temporary). */
  used: boolean;
  /** The frame declares only the temporary `_tv` (it has branch hooks on && || ?? but no call sites). */
  temp: boolean;
  /** The frame has loop or branch hooks and declares `_to`. */
  hooks: boolean;
  /** Program frames with top-level await need the saved path. */
  awaits: boolean;
  /** Catch and finally blocks that restore the depth on entry, filled in when the frame is finalized. */
  restoreBlocks: T.BlockStatement[];
}

const DYNAMIC = 'dynamic' as const;
type Ctx = Frame | typeof DYNAMIC;

interface Names {
  th: string; // the hook state object
  td: string; // the frame's entry depth
  tv: string; // temporary
  tp: string; // saved path (async)
  tb: string; // depth to leave behind when suspending (async)
  te: string; // the exception a frame rethrows
  ts: string; // the site stack array (module-level alias of _th.s, whose identity never changes)
  to: string; // the frame's copy of _th.on, read on entry
}

const CALLISH = new Set([
  'CallExpression', 'OptionalCallExpression', 'NewExpression', 'TaggedTemplateExpression', 'AwaitExpression',
  'YieldExpression', 'ClassExpression', 'ImportExpression',
]);

const TS_WRAPPERS = new Set(['TSAsExpression', 'TSNonNullExpression', 'TSTypeAssertion', 'TSSatisfiesExpression', 'ParenthesizedExpression', 'TSInstantiationExpression']);

export default function terraPlugin(api: { types: typeof BabelTypes; assertVersion(v: number): void }, options: TerraPluginOptions = {}): PluginObj<PluginPass> {
  api.assertVersion(7);
  const t = api.types;
  const opts = {
    calls: options.calls !== false,
    loops: options.loops !== false,
    branches: options.branches !== false,
    instrument: options.instrument ?? [],
  };

  return {
    name: 'terra',
    visitor: {
      Program(programPath, state) {
        const filename = state.filename;
        if (!shouldInstrument(filename, opts.instrument)) return;
        if (programPath.node.body.length === 0) return;
        const root = options.root ?? (state.file.opts.root as string | undefined) ?? state.cwd ?? process.cwd();
        let rel = filename
          ? (nodePath.isAbsolute(filename) ? nodePath.relative(root, filename) : filename).split(nodePath.sep).join('/')
          : '<anonymous>';
        // files of packages are named from their package, wherever node_modules is: node_modules/<pkg>/<file>
        const nm = filename ? filename.split(nodePath.sep).join('/').lastIndexOf('/node_modules/') : -1;
        if (filename && nm >= 0) rel = filename.split(nodePath.sep).join('/').slice(nm + 1);
        const scope = programPath.scope;
        const names: Names = {
          th: scope.generateUid('th'),
          td: scope.generateUid('td'),
          tv: scope.generateUid('tv'),
          tp: scope.generateUid('tp'),
          tb: scope.generateUid('tb'),
          te: scope.generateUid('te'),
          ts: scope.generateUid('ts'),
          to: scope.generateUid('to'),
        };
        instrumentProgram(t, programPath, rel, names, opts);
      },
    },
  };
}

interface Opts { calls: boolean; loops: boolean; branches: boolean }

function instrumentProgram(t: typeof BabelTypes, programPath: NodePath<T.Program>, rel: string, N: Names, opts: Opts): void {
  const done = new WeakSet<T.Node>();
  const frames = new Map<T.Node, Frame>();
  const callishMemo = new WeakMap<T.Node, boolean>();
  /** Optional-chain tops that need the pop (and possibly a leading push) of calls inside the chain. */
  const chainTops = new Map<T.Node, { pre: T.Expression[] }>();
  let changed = false;

  const id = (name: string) => t.identifier(name);
  const th = () => id(N.th);
  const mem = (o: T.Expression, p: string) => t.memberExpression(o, id(p));
  const assign = (l: T.LVal, r: T.Expression) => t.assignmentExpression('=', l, r);
  const siteId = (node: T.Node) => {
    const loc = node.loc!.start;
    return t.stringLiteral(`${rel}:${loc.line}:${loc.column + 1}`);
  };
  /** Call sites are named where V8's stack traces point: the method name of a member call, the callee otherwise. */
  const callSiteIds = new WeakMap<T.Node, string>();
  const posOf = (node: T.Node): T.SourceLocation['start'] | undefined => {
    let callee: T.Node | undefined;
    if (t.isCallExpression(node) || t.isOptionalCallExpression(node) || t.isNewExpression(node)) callee = node.callee;
    else if (t.isTaggedTemplateExpression(node)) callee = node.tag;
    if (!callee) return node.loc?.start;
    while (TS_WRAPPERS.has(callee.type)) callee = (callee as T.TSAsExpression).expression;
    if ((t.isMemberExpression(callee) || t.isOptionalMemberExpression(callee)) && callee.property.loc) return callee.property.loc.start;
    if (t.isNewExpression(node) || t.isIdentifier(callee) || t.isSuper(callee) || !callee.loc) return node.loc?.start;
    return callee.loc.end;
  };
  programPath.traverse({
    'CallExpression|OptionalCallExpression|NewExpression|TaggedTemplateExpression'(p: NodePath) {
      const pos = posOf(p.node);
      if (pos) callSiteIds.set(p.node, `${rel}:${pos.line}:${pos.column + 1}`);
    },
  });
  const seq = (exprs: T.Expression[]) => (exprs.length === 1 ? exprs[0] : t.sequenceExpression(exprs));

  function frameFor(node: T.Node): Frame {
    let f = frames.get(node);
    if (!f) {
      let kind: FrameKind = 'function';
      if (t.isProgram(node)) kind = 'program';
      else if (t.isStaticBlock(node)) kind = 'block';
      else if (t.isFunction(node)) {
        if (node.async && node.generator) kind = 'asyncGenerator';
        else if (node.async) kind = 'async';
        else if (node.generator) kind = 'generator';
      }
      f = { node, kind, used: false, temp: false, hooks: false, awaits: false, restoreBlocks: [] };
      frames.set(node, f);
    }
    return f;
  }

  /** The frame whose locals a node at `path` may use, DYNAMIC where no statement can be added (parameters, class field initializers), or null. */
  function contextOf(path: NodePath): Ctx | null {
    let child: NodePath = path;
    let p = path.parentPath;
    while (p) {
      if (p.isFunction()) {
        if (child.key === 'body') return frameFor(p.node);
        if (child.listKey === 'params') return DYNAMIC;
      } else if (p.isClassProperty() || p.isClassPrivateProperty() || p.isClassAccessorProperty()) {
        if (child.key === 'value') return DYNAMIC;
      } else if (p.isStaticBlock()) {
        return frameFor(p.node);
      } else if (p.isProgram()) {
        return frameFor(p.node);
      } else if (p.isTSDeclareFunction() || p.isTSDeclareMethod() || p.isTSModuleDeclaration()) {
        return null;
      }
      child = p;
      p = p.parentPath;
    }
    return null;
  }

  function callish(node: T.Node | null | undefined): boolean {
    if (!node || typeof node !== 'object') return false;
    const memo = callishMemo.get(node);
    if (memo !== undefined) return memo;
    let r = false;
    if (CALLISH.has(node.type)) r = true;
    else if (t.isFunction(node)) r = false;
    else {
      const keys = t.VISITOR_KEYS[node.type] ?? [];
      for (const k of keys) {
        const v = (node as unknown as Record<string, unknown>)[k];
        if (Array.isArray(v)) {
          if (v.some((c) => callish(c as T.Node))) { r = true; break; }
        } else if (v && typeof v === 'object' && callish(v as T.Node)) { r = true; break; }
      }
    }
    callishMemo.set(node, r);
    return r;
  }

  // --- the expressions the instrumented code uses ---------------------------------------------------
  function push(ctx: Ctx, site: T.StringLiteral): T.Expression[] {
    if (ctx === DYNAMIC) {
      // _ts[_th.d++] = id
      return [assign(t.memberExpression(id(N.ts), t.updateExpression('++', mem(th(), 'd')), true), site)];
    }
    // _ts[_td] = id, _th.d = _td + 1
    return [
      assign(t.memberExpression(id(N.ts), id(N.td), true), site),
      assign(mem(th(), 'd'), t.binaryExpression('+', id(N.td), t.numericLiteral(1))),
    ];
  }
  function pop(ctx: Ctx): T.Expression {
    return ctx === DYNAMIC ? t.updateExpression('--', mem(th(), 'd')) : assign(mem(th(), 'd'), id(N.td));
  }
  function temp(ctx: Ctx): T.LVal & T.Expression {
    return ctx === DYNAMIC ? mem(th(), 'v') : id(N.tv);
  }
  /** (_tv = e, ...after, _tv) */
  function passThrough(ctx: Ctx, e: T.Expression, after: T.Expression[]): T.Expression {
    return t.sequenceExpression([assign(temp(ctx), e), ...after, temp(ctx)]);
  }
  function use(ctx: Ctx): void {
    if (ctx !== DYNAMIC) ctx.used = true;
  }
  /** Object.assign(_ts, _tp), _th.d = _td: the async activation's own path, after a resumption. */
  function restorePath(): T.Expression[] {
    return [
      t.callExpression(mem(id('Object'), 'assign'), [id(N.ts), id(N.tp)]),
      assign(mem(th(), 'd'), id(N.td)),
    ];
  }
  const isAsyncKind = (f: Frame) => f.kind === 'async' || f.kind === 'asyncGenerator' || (f.kind === 'program' && f.awaits);
  function hookCall(ctx: Ctx, name: 'it' | 'br', args: T.Expression[]): T.Expression {
    // _to && _th.it(id) / _th.br(id, arm); _to is the frame's copy of _th.on
    let flag: T.Expression;
    if (ctx === DYNAMIC) flag = mem(th(), 'on');
    else {
      ctx.hooks = true;
      flag = id(N.to);
    }
    return t.logicalExpression('&&', flag, t.callExpression(mem(th(), name), args));
  }
  function prependToStatement(body: T.Statement, stmts: T.Statement[]): T.BlockStatement {
    if (t.isBlockStatement(body)) {
      body.body.unshift(...stmts);
      return body;
    }
    return t.blockStatement([...stmts, body]);
  }

  const unwrap = (p: NodePath): NodePath => {
    let q = p;
    while (TS_WRAPPERS.has(q.node.type)) q = q.get('expression') as NodePath;
    return q;
  };
  /** A node that is the object/callee of an enclosing optional chain element: it cannot be parenthesized. */
  const chainInternal = (p: NodePath): boolean => {
    const parent = p.parentPath;
    if (!parent) return false;
    if (!(p.isOptionalMemberExpression() || p.isOptionalCallExpression())) return false;
    return (parent.isOptionalMemberExpression() && p.key === 'object') || (parent.isOptionalCallExpression() && p.key === 'callee');
  };
  const chainTop = (p: NodePath): NodePath => {
    let q = p;
    while (chainInternal(q)) q = q.parentPath!;
    return q;
  };

  // --- calls ----------------------------------------------------------------------------------------
  function instrumentCall(path: NodePath<T.CallExpression | T.OptionalCallExpression | T.NewExpression | T.TaggedTemplateExpression>): void {
    const node = path.node;
    if (!opts.calls || done.has(node) || !node.loc) return;
    done.add(node);
    if (path.isCallExpression() || path.isOptionalCallExpression() || path.isNewExpression()) {
      const callee = (node as T.CallExpression).callee;
      if (t.isImport(callee) || (t.isIdentifier(callee) && callee.name === 'eval')) return; // import(), direct eval
      if (t.isIdentifier(callee) && callee.name === N.th) return;
    }
    const ctx = contextOf(path);
    if (!ctx) return;
    use(ctx);
    changed = true;
    const site = t.stringLiteral(callSiteIds.get(node) ?? siteId(node).value);

    // The parts evaluated before the call, in order; the push goes right after the last one that may call.
    type Part = { path: NodePath; kind: 'arg' | 'spread' | 'object' | 'property' | 'callee' | 'quasi' };
    const parts: Part[] = [];
    let args: NodePath[] = [];
    if (path.isTaggedTemplateExpression()) {
      const tag = unwrap(path.get('tag'));
      if (tag.isMemberExpression() || tag.isOptionalMemberExpression()) {
        parts.push({ path: tag.get('object') as NodePath, kind: 'object' });
        if (tag.node.computed) parts.push({ path: tag.get('property') as NodePath, kind: 'property' });
      } else parts.push({ path: tag, kind: 'callee' });
      for (const q of path.get('quasi').get('expressions')) parts.push({ path: q, kind: 'quasi' });
    } else {
      const p = path as NodePath<T.CallExpression>;
      const callee = unwrap(p.get('callee') as NodePath);
      if (callee.isMemberExpression() || callee.isOptionalMemberExpression()) {
        parts.push({ path: callee.get('object') as NodePath, kind: 'object' });
        if (callee.node.computed) parts.push({ path: callee.get('property') as NodePath, kind: 'property' });
      } else if (!callee.isSuper()) parts.push({ path: callee, kind: 'callee' });
      args = p.get('arguments') as NodePath[];
      for (const a of args) parts.push({ path: a.isSpreadElement() ? a.get('argument') : a, kind: a.isSpreadElement() ? 'spread' : 'arg' });
    }
    let last = -1;
    for (let i = parts.length - 1; i >= 0; i--) {
      if (callish(parts[i].path.node)) { last = i; break; }
    }

    const inChain = chainInternal(path);
    const top = inChain ? chainTop(path) : path;
    if (inChain && top.parentPath?.isUnaryExpression({ operator: 'delete' })) return;
    let pre: T.Expression[] = [];
    const pushExprs = push(ctx, site);
    if (last < 0) {
      pre = pushExprs;
    } else {
      const part = parts[last];
      const wrappable = !chainInternal(part.path) && !part.path.isSuper();
      if (wrappable) {
        part.path.replaceWith(passThrough(ctx, part.path.node as T.Expression, pushExprs));
        part.path.skip();
      } else {
        // The last part that may call is an element of the same optional chain: push in the argument list.
        const call = path.node as T.CallExpression | T.OptionalCallExpression;
        if (call.arguments.length > 0) {
          const li = call.arguments.length - 1;
          const lastArg = call.arguments[li];
          if (t.isSpreadElement(lastArg)) lastArg.argument = seq([...pushExprs, lastArg.argument]);
          else call.arguments[li] = seq([...pushExprs, lastArg as T.Expression]);
        } else {
          call.arguments.push(t.spreadElement(seq([...pushExprs, t.arrayExpression([])])));
        }
      }
    }

    if (inChain) {
      let entry = chainTops.get(top.node);
      if (!entry) chainTops.set(top.node, (entry = { pre: [] }));
      entry.pre.push(...pre);
      return; // the chain top pops
    }
    const entry = chainTops.get(node);
    if (entry) {
      chainTops.delete(node);
      pre = [...entry.pre, ...pre];
    }
    // (push, _tv = call, pop, _tv)
    const wrapped = t.sequenceExpression([...pre, assign(temp(ctx), node as T.Expression), pop(ctx), temp(ctx)]);
    path.replaceWith(wrapped);
    path.skip();
  }

  function finishChainTop(path: NodePath<T.OptionalMemberExpression | T.OptionalCallExpression>): void {
    const entry = chainTops.get(path.node);
    if (!entry || chainInternal(path)) return;
    chainTops.delete(path.node);
    const ctx = contextOf(path);
    if (!ctx) return;
    path.replaceWith(t.sequenceExpression([...entry.pre, assign(temp(ctx), path.node), pop(ctx), temp(ctx)]));
    path.skip();
  }

  // --- await and yield ----------------------------------------------------------------------------------
  function instrumentAwait(path: NodePath<T.AwaitExpression>): void {
    const node = path.node;
    if (done.has(node) || !node.loc) return;
    done.add(node);
    const ctx = contextOf(path);
    if (!ctx || ctx === DYNAMIC) return;
    if (ctx.kind === 'program') ctx.awaits = true;
    if (!isAsyncKind(ctx)) return;
    ctx.used = true;
    changed = true;
    // await (_tv = X, _th.d = _tb, _tb = 0, _tv) -> then (_tv = <that>, _th.s = _tp.slice(), _th.d = _td, _tv)
    node.argument = passThrough(ctx, node.argument, [assign(mem(th(), 'd'), id(N.tb)), assign(id(N.tb), t.numericLiteral(0))]);
    path.replaceWith(passThrough(ctx, node, restorePath()));
    path.skip();
  }

  function instrumentYield(path: NodePath<T.YieldExpression>): void {
    const node = path.node;
    if (done.has(node) || !node.loc) return;
    done.add(node);
    const ctx = contextOf(path);
    if (!ctx || ctx === DYNAMIC) return;
    ctx.used = true;
    changed = true;
    if (ctx.kind === 'asyncGenerator') {
      // leave the base depth behind; on resumption the consumer's path is the generator's path
      if (node.argument) node.argument = passThrough(ctx, node.argument, [assign(mem(th(), 'd'), id(N.tb))]);
      else node.argument = null;
      const after = [
        assign(id(N.td), mem(th(), 'd')),
        assign(id(N.tb), id(N.td)),
        assign(id(N.tp), t.callExpression(mem(id(N.ts), 'slice'), [t.numericLiteral(0), id(N.td)])),
      ];
      if (!node.argument) {
        // a bare yield still has to leave the base depth behind
        path.replaceWith(passThrough(ctx, t.sequenceExpression([assign(mem(th(), 'd'), id(N.tb)), node]), after));
      } else path.replaceWith(passThrough(ctx, node, after));
    } else {
      // (_tv = yield X, _td = _th.d, _tv): the consumer that resumed the generator owns the path now
      path.replaceWith(passThrough(ctx, node, [assign(id(N.td), mem(th(), 'd'))]));
    }
    path.skip();
  }

  // --- loops ----------------------------------------------------------------------------------------
  function instrumentLoop(path: NodePath<T.Loop>): void {
    const node = path.node;
    if (done.has(node) || !node.loc) return;
    done.add(node);
    const ctx = contextOf(path);
    if (!ctx) return;
    const stmts: T.Statement[] = [];
    const isForAwait = t.isForOfStatement(node) && node.await;
    const frame = ctx === DYNAMIC ? null : ctx;
    if (isForAwait && frame) {
      if (frame.kind === 'program') frame.awaits = true;
      frame.used = true;
      stmts.push(t.expressionStatement(seq(restorePath())));
    }
    if (opts.loops) stmts.push(t.expressionStatement(hookCall(ctx, 'it', [siteId(node)])));
    if (stmts.length === 0) return;
    changed = true;
    if (isForAwait && frame) {
      // body: { restore; hook; try { BODY } finally { _th.d = _tb } }   loop: _tb = 0; try { loop } finally { restore }
      const inner = t.tryStatement(prependToStatement(node.body, []), null, t.blockStatement([t.expressionStatement(assign(mem(th(), 'd'), id(N.tb)))]));
      node.body = t.blockStatement([...stmts, inner]);
      let target: NodePath = path;
      if (path.parentPath.isLabeledStatement()) target = path.parentPath;
      const replacement = [
        t.expressionStatement(assign(id(N.tb), t.numericLiteral(0))),
        t.tryStatement(t.blockStatement([target.node as T.Statement]), null, t.blockStatement([t.expressionStatement(seq(restorePath()))])),
      ];
      target.replaceWith(t.blockStatement(replacement));
      target.skip();
      return;
    }
    node.body = prependToStatement(node.body, stmts);
  }

  // --- branches -------------------------------------------------------------------------------------
  const br = (ctx: Ctx, node: T.Node, arm: number) => hookCall(ctx, 'br', [siteId(node), t.numericLiteral(arm)]);
  const brStmt = (ctx: Ctx, node: T.Node, arm: number) => t.expressionStatement(br(ctx, node, arm));

  function instrumentIf(path: NodePath<T.IfStatement>): void {
    const node = path.node;
    const ctx = opts.branches && !done.has(node) && node.loc ? contextOf(path) : null;
    if (!ctx) return;
    done.add(node);
    changed = true;
    node.consequent = prependToStatement(node.consequent, [brStmt(ctx, node, 0)]);
    node.alternate = node.alternate ? prependToStatement(node.alternate, [brStmt(ctx, node, 1)]) : t.blockStatement([brStmt(ctx, node, 1)]);
  }

  function instrumentConditional(path: NodePath<T.ConditionalExpression>): void {
    const node = path.node;
    const ctx = opts.branches && !done.has(node) && node.loc ? contextOf(path) : null;
    if (!ctx) return;
    done.add(node);
    changed = true;
    node.consequent = t.sequenceExpression([br(ctx, node, 0), node.consequent]);
    node.alternate = t.sequenceExpression([br(ctx, node, 1), node.alternate]);
  }

  function instrumentLogical(path: NodePath<T.LogicalExpression>): void {
    const node = path.node;
    if (!opts.branches || done.has(node) || !node.loc) return;
    done.add(node);
    const ctx = contextOf(path);
    if (!ctx) return;
    if (ctx !== DYNAMIC) ctx.temp = true;
    changed = true;
    const tv = () => temp(ctx);
    const test = node.operator === '??'
      ? t.binaryExpression('!=', assign(tv(), node.left), t.nullLiteral())
      : assign(tv(), node.left);
    const keepLeft = t.sequenceExpression([br(ctx, node, 0), tv()]);
    const takeRight = t.sequenceExpression([br(ctx, node, 1), node.right]);
    const replacement = node.operator === '&&'
      ? t.conditionalExpression(test, takeRight, keepLeft)
      : t.conditionalExpression(test, keepLeft, takeRight);
    path.replaceWith(replacement);
    path.skip();
  }

  function instrumentSwitch(path: NodePath<T.SwitchStatement>): void {
    const node = path.node;
    const ctx = opts.branches && !done.has(node) && node.loc ? contextOf(path) : null;
    if (!ctx) return;
    done.add(node);
    changed = true;
    node.cases.forEach((c, i) => c.consequent.unshift(brStmt(ctx, node, i)));
  }

  function instrumentTry(path: NodePath<T.TryStatement>): void {
    const node = path.node;
    if (done.has(node) || !node.loc) return;
    done.add(node);
    const ctx = contextOf(path);
    if (!ctx || ctx === DYNAMIC) return;
    if (node.handler) {
      if (opts.branches) {
        node.handler.body.body.unshift(brStmt(ctx, node.handler, 0));
        changed = true;
      }
      ctx.restoreBlocks.push(node.handler.body);
    }
    if (node.finalizer) ctx.restoreBlocks.push(node.finalizer);
  }

  // --- frames ---------------------------------------------------------------------------------------
  function declarations(f: Frame): T.Statement[] {
    const decls = declarationsWithoutHooks(f);
    if (f.hooks) (decls[0] as T.VariableDeclaration).declarations.push(t.variableDeclarator(id(N.to), mem(th(), 'on')));
    return decls;
  }

  function declarationsWithoutHooks(f: Frame): T.Statement[] {
    const cur = () => mem(th(), 'd');
    const saved = () => t.callExpression(mem(id(N.ts), 'slice'), [t.numericLiteral(0), id(N.td)]);
    const d = (n: string, init?: T.Expression) => t.variableDeclarator(id(n), init ?? null);
    switch (f.kind) {
      case 'program': {
        const ds = [d(N.td, cur()), d(N.tv)];
        if (f.awaits) ds.push(d(N.tp, saved()), d(N.tb, id(N.td)));
        return [t.variableDeclaration('var', ds)];
      }
      case 'function':
      case 'block':
        return [t.variableDeclaration('const', [d(N.td, cur())]), t.variableDeclaration('let', [d(N.tv)])];
      case 'generator':
        return [t.variableDeclaration('let', [d(N.td, cur()), d(N.tv)])];
      case 'async':
        return [
          t.variableDeclaration('const', [d(N.td, cur()), d(N.tp, saved())]),
          t.variableDeclaration('let', [d(N.tb, id(N.td)), d(N.tv)]),
        ];
      case 'asyncGenerator':
        return [t.variableDeclaration('let', [d(N.td, cur()), d(N.tp, saved()), d(N.tb, id(N.td)), d(N.tv)])];
    }
  }

  function blockBodyOf(fn: T.Function): T.BlockStatement {
    if (t.isBlockStatement(fn.body)) return fn.body;
    const body = t.blockStatement([t.returnStatement(fn.body)]);
    fn.body = body;
    return body;
  }

  function declareTempOnly(f: Frame): void {
    const ds: T.VariableDeclarator[] = [];
    if (f.hooks) ds.push(t.variableDeclarator(id(N.to), mem(th(), 'on')));
    if (f.temp) ds.push(t.variableDeclarator(id(N.tv)));
    const decl = t.variableDeclaration(f.kind === 'program' ? 'var' : 'let', ds);
    if (f.kind === 'program') {
      const prog = f.node as T.Program;
      let i = 0;
      while (i < prog.body.length && t.isImportDeclaration(prog.body[i])) i++;
      prog.body.splice(i, 0, decl);
    } else if (f.kind === 'block') (f.node as T.StaticBlock).body.unshift(decl);
    else blockBodyOf(f.node as T.Function).body.unshift(decl);
  }

  function finalizeFrame(f: Frame, path: NodePath | null): void {
    if (!f.used) {
      if (f.temp || f.hooks) declareTempOnly(f);
      return;
    }
    const restore = isAsyncKind(f) ? restorePath() : [assign(mem(th(), 'd'), id(N.td))];
    for (const b of f.restoreBlocks) b.body.unshift(t.expressionStatement(seq(restore.map((e) => t.cloneNode(e)))));
    const decls = declarations(f);
    if (f.kind === 'program') {
      const prog = f.node as T.Program;
      let i = 0;
      while (i < prog.body.length && t.isImportDeclaration(prog.body[i])) i++;
      prog.body.splice(i, 0, ...decls);
      return;
    }
    if (f.kind === 'block') {
      (f.node as T.StaticBlock).body.unshift(...decls);
      return;
    }
    const body = blockBodyOf(f.node as T.Function);
    // Leave the depth as found on every exit, including an exception that nobody in this frame catches.
    // Sync functions and generators balance the stack on normal exits already, so they only need to restore
    // it when an exception leaves them: catch-and-rethrow (the same value; an Error keeps its stack) costs
    // V8 almost nothing, unlike try/finally. Async functions also leave the depth of the code that resumed
    // them on normal completion, so they use finally.
    let guarded: T.TryStatement;
    if (f.kind === 'async' || f.kind === 'asyncGenerator') {
      guarded = t.tryStatement(t.blockStatement(body.body), null, t.blockStatement([t.expressionStatement(assign(mem(th(), 'd'), id(N.tb)))]));
    } else {
      const err = id(N.te);
      guarded = t.tryStatement(
        t.blockStatement(body.body),
        t.catchClause(err, t.blockStatement([t.expressionStatement(assign(mem(th(), 'd'), id(N.td))), t.throwStatement(id(N.te))])),
      );
    }
    body.body = [...decls, guarded];
    void path;
  }

  const visitor = {
    CallExpression: { exit: instrumentCall },
    NewExpression: { exit: instrumentCall },
    TaggedTemplateExpression: { exit: instrumentCall },
    OptionalCallExpression: {
      exit(path: NodePath<T.OptionalCallExpression>) {
        if (!done.has(path.node)) instrumentCall(path);
        else finishChainTop(path);
      },
    },
    OptionalMemberExpression: { exit: finishChainTop },
    AwaitExpression: { exit: instrumentAwait },
    YieldExpression: { exit: instrumentYield },
    Loop: { exit: instrumentLoop },
    IfStatement: { exit: instrumentIf },
    ConditionalExpression: { exit: instrumentConditional },
    LogicalExpression: { exit: instrumentLogical },
    SwitchStatement: { exit: instrumentSwitch },
    TryStatement: { exit: instrumentTry },
    Function: {
      exit(path: NodePath<T.Function>) {
        const f = frames.get(path.node);
        if (f) finalizeFrame(f, path);
      },
    },
    StaticBlock: {
      exit(path: NodePath<T.StaticBlock>) {
        const f = frames.get(path.node);
        if (f) finalizeFrame(f, path);
      },
    },
  };

  programPath.traverse(visitor as never);
  const programFrame = frames.get(programPath.node);
  if (programFrame) finalizeFrame(programFrame, programPath);
  if (!changed && !programFrame?.used) return;

  // var _th = globalThis[Symbol.for("terrajs.hooks")] || (globalThis[Symbol.for("terrajs.hooks")] = {...})
  const key = () => t.memberExpression(id('globalThis'), t.callExpression(mem(id('Symbol'), 'for'), [t.stringLiteral(HOOKS_SYMBOL)]), true);
  const noop = () => t.functionExpression(null, [], t.blockStatement([]));
  const bootstrap = t.objectExpression([
    t.objectProperty(id('v'), t.numericLiteral(1)),
    t.objectProperty(id('on'), t.booleanLiteral(false)),
    t.objectProperty(id('d'), t.numericLiteral(0)),
    t.objectProperty(id('s'), t.arrayExpression([])),
    t.objectProperty(id('it'), noop()),
    t.objectProperty(id('br'), noop()),
  ]);
  const header = t.variableDeclaration('var', [
    t.variableDeclarator(id(N.th), t.logicalExpression('||', key(), assign(key(), bootstrap))),
    t.variableDeclarator(id(N.ts), mem(id(N.th), 's')),
  ]);
  const body = programPath.node.body;
  let i = 0;
  while (i < body.length && t.isImportDeclaration(body[i])) i++;
  body.splice(i, 0, header);
}
