import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { createOracle } from './oracle.ts';

// AbortController and AbortSignal in an isolate against Node's; AbortSignal.timeout runs on
// the invocation's timers.
const o = createOracle();
afterAll(() => o.dispose());

const HELPERS = `
  const err = (e) => ({ name: e.name, code: e.code, message: e.message });
  const run = (f) => { try { return f(); } catch (e) { return err(e); } };
  const reasonOf = (s) => s.reason instanceof DOMException ? ['DOMException', s.reason.name, s.reason.message] : s.reason;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
`;

describe('AbortController', () => {
  it('aborts its signal once, with an AbortError unless given a reason', async () => {
    await o.same(`${HELPERS}
      const log = [];
      const c = new AbortController();
      const s = c.signal;
      s.onabort = (e) => log.push(['onabort', e.type, e.isTrusted, e instanceof Event]);
      s.addEventListener('abort', function (e) { log.push(['listener', this === s, e.target === s, s.aborted]); });
      const before = [s.aborted, s.reason, run(() => s.throwIfAborted())];
      c.abort();
      c.abort('again');
      const thrown = run(() => s.throwIfAborted());
      const c2 = new AbortController();
      c2.abort('because');
      const c3 = new AbortController();
      c3.abort(undefined);
      const c4 = new AbortController();
      const obj = { why: 1 };
      c4.abort(obj);
      return [log, before, s.aborted, reasonOf(s), thrown, c2.signal.reason, reasonOf(c3.signal),
        c4.signal.reason === obj, c.signal === s, s.onabort !== null];`);
  });

  it('keeps the position of the first onabort among the listeners', async () => {
    await o.same(`${HELPERS}
      const log = [];
      const c = new AbortController();
      c.signal.onabort = () => log.push('first handler');
      c.signal.addEventListener('abort', () => log.push('listener'));
      c.signal.onabort = () => log.push('second handler');
      c.abort();
      const c2 = new AbortController();
      c2.signal.onabort = () => log.push('cleared');
      c2.signal.onabort = null;
      c2.abort();
      return [log, c2.signal.onabort];`);
  });

  it('has the classes, shapes and errors of Node', async () => {
    await o.same(`${HELPERS}
      const c = new AbortController();
      return [
        run(() => new AbortSignal()),
        run(() => AbortController.prototype.abort.call({})).name,
        run(() => Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted').get.call({})),
        run(() => AbortSignal.prototype.throwIfAborted.call(new EventTarget())),
        Object.prototype.toString.call(c), Object.prototype.toString.call(c.signal),
        c.signal instanceof EventTarget, Object.keys(AbortSignal.prototype), Object.keys(AbortController.prototype),
        Object.getOwnPropertyNames(AbortSignal).sort(),
      ];`);
  });
});

describe('AbortSignal.abort and AbortSignal.timeout', () => {
  it('abort() makes an aborted signal', async () => {
    await o.same(`${HELPERS}
      const a = AbortSignal.abort();
      const b = AbortSignal.abort('x');
      return [a.aborted, reasonOf(a), b.reason, run(() => b.throwIfAborted())];`);
  });

  it('timeout() aborts with a TimeoutError inside the invocation', async () => {
    await o.same(`${HELPERS}
      const s = AbortSignal.timeout(20);
      const log = [];
      s.addEventListener('abort', () => log.push('abort'));
      const early = s.aborted;
      const fired = await new Promise((resolve) => s.onabort = () => resolve('fired'));
      const c = new AbortController();
      const any = AbortSignal.any([c.signal, AbortSignal.timeout(5)]);
      await sleep(30);
      return [early, fired, log, s.aborted, reasonOf(s), run(() => s.throwIfAborted()), any.aborted, reasonOf(any)];`);
  });

  it('timeout() checks its delay as Node does', async () => {
    await o.same(`${HELPERS}
      return [run(() => AbortSignal.timeout('5')), run(() => AbortSignal.timeout(1.5)),
        run(() => AbortSignal.timeout(-1)), run(() => AbortSignal.timeout(2 ** 32)),
        run(() => AbortSignal.timeout()), run(() => AbortSignal.timeout(2 ** 40)), AbortSignal.timeout(0).aborted];`);
  });

  // 250 ms, not less: the arming invocation must end before its timeout is due, or the
  // timeout rightly fires inside it (a busy machine once stalled it past 20 ms).
  it('a timeout still pending when the invocation ends never fires in a later one', async () => {
    const fn = o.deploy(
      'abort-timeout-ends',
      `let kept;
      export async function handler(event) {
        if (event.arm) { kept = AbortSignal.timeout(250); kept.onabort = () => { globalThis.fired = true; }; return 'armed'; }
        await new Promise((resolve) => setTimeout(resolve, 500));
        return { fired: globalThis.fired === true, aborted: kept.aborted };
      }`,
    );
    expect((await o.runtime.invoke(fn, '{"arm":true}')).ok).toBe(true);
    const out = await o.runtime.invoke(fn, '{}');
    expect(out.ok && JSON.parse(out.result)).toEqual({ fired: false, aborted: false });
  });

  it('timeout() in a module top-level code is refused, as timers are', async () => {
    const fn = o.deploy(
      'abort-timeout-top-level',
      `let early;
      try { AbortSignal.timeout(5); early = 'made'; } catch (e) { early = e.name; }
      export function handler() { return early; }`,
    );
    const out = await o.runtime.invoke(fn, '');
    expect(out.ok && JSON.parse(out.result)).toBe('TypeError');
  });
});

describe('AbortSignal.any', () => {
  it('follows its sources: the first to abort gives the reason, events in order', async () => {
    await o.same(`${HELPERS}
      const log = [];
      const a = new AbortController();
      const b = new AbortController();
      const any = AbortSignal.any([a.signal, b.signal]);
      const nested = AbortSignal.any([any, new AbortController().signal]);
      const unheard = AbortSignal.any([b.signal]);
      a.signal.addEventListener('abort', () => log.push(['a', any.aborted, nested.aborted]));
      any.addEventListener('abort', () => log.push(['any', any.reason]));
      nested.onabort = () => log.push(['nested', nested.reason]);
      const before = [any.aborted, nested.aborted];
      b.abort('b first');
      a.abort('a later');
      return [before, log, any.reason, nested.reason, unheard.reason, any.aborted];`);
  });

  it('is aborted at once when a source already is, and never when it has none', async () => {
    await o.same(`${HELPERS}
      const c = new AbortController();
      const pre = AbortSignal.any([c.signal, AbortSignal.abort('pre')]);
      const none = AbortSignal.any([]);
      const ofNone = AbortSignal.any([none]);
      const fromSet = AbortSignal.any(new Set([AbortSignal.abort('set')]));
      return [pre.aborted, pre.reason, none.aborted, ofNone.aborted, fromSet.reason,
        run(() => AbortSignal.any()), run(() => AbortSignal.any([{}])), run(() => AbortSignal.any(5)),
        run(() => AbortSignal.any([c.signal, 'x']))];`);
  });

  it('reports a source aborted later even without listeners', async () => {
    await o.same(`${HELPERS}
      const c = new AbortController();
      const any = AbortSignal.any([c.signal]);
      c.abort('late');
      return [any.aborted, any.reason, run(() => any.throwIfAborted())];`);
  });

  it('a listened-to signal follows a module-level source across invocations', async () => {
    const fn = o.deploy(
      'abort-any-module-source',
      `const root = new AbortController();
      export async function handler(event) {
        for (let i = 0; i < 2000; i++) {
          const s = AbortSignal.any([root.signal, new AbortController().signal]);
          const f = () => {};
          s.addEventListener('abort', f);
          s.removeEventListener('abort', f);
        }
        const last = AbortSignal.any([root.signal]);
        let heard = false;
        last.onabort = () => { heard = true; };
        if (event.abort) root.abort('done');
        return [heard, last.reason ?? null];
      }`,
    );
    const quiet = await o.runtime.invoke(fn, '{}');
    expect(quiet.ok && JSON.parse(quiet.result)).toEqual([false, null]);
    const out = await o.runtime.invoke(fn, '{"abort":true}');
    expect(out.ok && JSON.parse(out.result)).toEqual([true, 'done']);
  });
});

describe('what a source holds (the module run here, with a real garbage collector)', () => {
  const gc = (() => {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  })();
  const collect = async () => {
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      gc();
    }
  };

  it('a derived signal nobody listens to any more can be collected; one listened to cannot', async () => {
    const { AbortController, AbortSignal } = (await import(
      new URL('../../src/sandbox/platform/abort.js', import.meta.url).href
    )) as {
      AbortController: typeof globalThis.AbortController;
      AbortSignal: typeof globalThis.AbortSignal;
    };
    const root = new AbortController();
    const refs: WeakRef<object>[] = [];
    let heard = 0;
    (() => {
      for (let i = 0; i < 100; i++) {
        const s = AbortSignal.any([root.signal]);
        const f = () => {};
        s.addEventListener('abort', f);
        s.removeEventListener('abort', f);
        refs.push(new WeakRef(s));
      }
      const listened = AbortSignal.any([root.signal]);
      listened.addEventListener('abort', () => heard++);
    })();
    await collect();
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
    root.abort();
    expect(heard).toBe(1);
  });
});
