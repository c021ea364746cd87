// The site stack: which user-level call sites are active when code below them runs, across exceptions,
// generators and async functions, and the loop and branch events a listener receives.
import { HOOKS, HookStateLike, instrument, listeningState, runProgram } from './harness';

/** Runs `code` instrumented; `probe(tag)` (not instrumented, like library code) records the call path. */
async function paths(code: string, extra: Record<string, unknown> = {}): Promise<Record<string, string[]>> {
  const seen: Record<string, string[]> = {};
  let state: HookStateLike | undefined;
  const probe = (tag: string) => {
    if (tag in seen) return; // the first time counts
    seen[tag] = state!.s.slice(0, state!.d).map((id) => id.replace(/^t\.js:/, ''));
  };
  const events: string[] = [];
  state = listeningState(events);
  const r = await runProgram(instrument(code, '/t.js'), 't.js', { probe, [HOOKS]: state, ...extra });
  if (r.error) throw new Error(r.error);
  return seen;
}

test('a call is current while it runs, with its call path', async () => {
  const seen = await paths(['function a() { probe("in a"); }', 'function b() { a(); }', 'b();', 'probe("top");'].join('\n'));
  expect(seen['in a']).toEqual(['3:1', '2:16', '1:16']);
  expect(seen.top).toEqual(['4:1']);
});

test('method calls are named by the method, chained calls apart', async () => {
  const seen = await paths(['const o = { m() { return this; }, p() { probe("p"); } };', 'o.m().p();'].join('\n'));
  expect(seen.p).toEqual(['2:7', '1:41']);
});

test('arguments are evaluated before the call is current', async () => {
  const seen = await paths(['function f() {}', 'function g() { probe("g"); }', 'f(1, g());'].join('\n'));
  expect(seen.g).toEqual(['3:6', '2:16']);
});

test('a throwing call does not stay pushed', async () => {
  const seen = await paths(
    [
      'function t() { throw new Error("x"); }',
      'function u() { t(); }',
      'try { u(); } catch (e) { probe("catch"); }',
      'probe("after");',
      'function v() { try { t(); } finally { probe("finally"); } }',
      'try { v(); } catch {}',
    ].join('\n'),
  );
  expect(seen.catch).toEqual(['3:26']);
  expect(seen.after).toEqual(['4:1']);
  expect(seen.finally).toEqual(['6:7', '5:39']);
});

test('an exception swallowed by library code leaves the path of the library call', async () => {
  const swallow = (fn: () => void, after: () => void) => {
    try {
      fn();
    } catch {
      // library code that swallows the callback's error
    }
    after();
  };
  const seen = await paths(
    ['function bad() { throw 1; }', 'swallow(() => { bad(); }, () => probe("lib after"));', 'probe("after");'].join('\n'),
    { swallow },
  );
  expect(seen['lib after']).toEqual(['2:1', '2:33']);
  expect(seen.after).toEqual(['3:1']);
});

test('a generator suspended at yield leaves no site on the consumer stack', async () => {
  const seen = await paths(
    [
      'function* g() { probe("g1"); h(); yield 1; probe("g2"); yield 2; }',
      'function h() { return 0; }',
      'const it = g();',
      'it.next();',
      'probe("consumer");',
      'function c() { it.next(); }',
      'c();',
      'for (const x of g()) probe("loop" + x);',
    ].join('\n'),
  );
  expect(seen.g1).toEqual(['4:4', '1:17']);
  expect(seen.consumer).toEqual(['5:1']);
  expect(seen.g2).toEqual(['7:1', '6:19', '1:44']);
  expect(seen.loop1).toEqual(['8:22']);
  expect(seen.loop2).toEqual(['8:22']);
});

test('an async function gets its own activation path back after each await', async () => {
  const seen = await paths(
    [
      'async function f() { probe("before"); await null; probe("after await"); }',
      'function caller() { return f(); }',
      'globalThis.__done = caller();',
      'probe("sync after");',
      'Promise.resolve().then(() => probe("microtask"));',
    ].join('\n'),
  );
  expect(seen.before).toEqual(['3:21', '2:28', '1:22']);
  expect(seen['sync after']).toEqual(['4:1']);
  expect(seen['after await']).toEqual(['3:21', '2:28', '1:51']);
  expect(seen.microtask).toEqual(['5:30']);
});

test('a rejected async function leaves nothing pushed for later tasks', async () => {
  const seen = await paths(
    [
      'function boom() { throw new Error("b"); }',
      'async function f() { await null; boom(); }',
      'f().catch(() => {});',
      'globalThis.__done = new Promise((r) => setTimeout(() => { probe("timer"); r(); }, 1));',
    ].join('\n'),
  );
  expect(seen.timer).toEqual(['4:59']);
});

test('for await restores the path in the body and after the loop', async () => {
  const seen = await paths(
    [
      'async function* src() { yield 1; await null; yield 2; }',
      'async function main() { for await (const x of src()) probe("body" + x); probe("after"); }',
      'function run() { return main(); }',
      'globalThis.__done = run();',
    ].join('\n'),
  );
  expect(seen.body1).toEqual(['4:21', '3:25', '2:54']);
  expect(seen.body2).toEqual(['4:21', '3:25', '2:54']);
  expect(seen.after).toEqual(['4:21', '3:25', '2:73']);
});

test('a listener receives loop iterations and branch decisions', async () => {
  const events: string[] = [];
  const code = [
    'for (let i = 0; i < 3; i++) { if (i % 2) {} else {} }',
    'let n = 0; while (n < 2) n++;',
    'const a = n > 1 ? 1 : 2;',
    'const b = 0 && 1, c = 0 || 1, d = null ?? 1;',
    'switch (n) { case 1: break; case 2: break; }',
    'try { throw 0; } catch (e) {}',
  ].join('\n');
  await runProgram(instrument(code, '/t.js'), 't.js', { [HOOKS]: listeningState(events) });
  expect(events).toEqual([
    'it t.js:1:1', 'br t.js:1:31 1', 'it t.js:1:1', 'br t.js:1:31 0', 'it t.js:1:1', 'br t.js:1:31 1',
    'it t.js:2:12', 'it t.js:2:12',
    'br t.js:3:11 0',
    'br t.js:4:11 0', 'br t.js:4:23 1', 'br t.js:4:35 1',
    'br t.js:5:1 1',
    'br t.js:6:18 0',
  ]);
});

test('node_modules are left alone unless named', () => {
  const code = 'f();';
  expect(instrument(code, '/p/node_modules/lib/a.js')).not.toContain('terrajs.hooks');
  expect(instrument(code, '/p/node_modules/@s/lib/a.js', { instrument: ['@s/lib'] })).toContain('terrajs.hooks');
  expect(instrument(code, '/p/node_modules/other/a.js', { instrument: ['@s/lib'] })).not.toContain('terrajs.hooks');
});

test('direct eval stays a direct eval', () => {
  expect(instrument('function f(x) { return eval("x"); }', '/t.js')).toContain('return eval("x")');
});
