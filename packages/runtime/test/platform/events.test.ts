import { afterAll, describe, expect, it } from 'vitest';
import { createOracle, inNode } from './oracle.ts';

// Event, CustomEvent and EventTarget in an isolate against Node's. Where Node departs
// from the DOM standard by accident, the isolate follows the standard: those cases show
// both answers.
const o = createOracle();
afterAll(() => o.dispose());

const HELPERS = `
  const err = (e) => ({ name: e.name, code: e.code, message: e.message });
  const run = (f) => { try { return f(); } catch (e) { return err(e); } };
`;

describe('EventTarget listeners', () => {
  it('are keyed by listener and capture flag, called in the order added', async () => {
    await o.same(`${HELPERS}
      const t = new EventTarget();
      const log = [];
      const f = (e) => log.push('f:' + e.type);
      const g = () => log.push('g');
      t.addEventListener('x', f);
      t.addEventListener('x', f);
      t.addEventListener('x', g, { capture: true });
      t.addEventListener('x', f, { capture: true });
      t.addEventListener('x', g);
      t.dispatchEvent(new Event('x'));
      log.push('|');
      t.removeEventListener('x', f);
      t.dispatchEvent(new Event('x'));
      log.push('|');
      t.removeEventListener('x', f, { capture: true });
      t.removeEventListener('x', g, { capture: false });
      t.dispatchEvent(new Event('x'));
      log.push('|');
      t.removeEventListener('x', g, { capture: true });
      t.removeEventListener('nothing', g);
      return [log, t.dispatchEvent(new Event('x'))];`);
  });

  it('call a once listener once, removing it before it runs', async () => {
    await o.same(`${HELPERS}
      const t = new EventTarget();
      const log = [];
      function once(e) { log.push('once'); t.dispatchEvent(new Event('y')); }
      t.addEventListener('x', once, { once: true });
      t.addEventListener('y', () => log.push('y'));
      t.dispatchEvent(new Event('x'));
      t.dispatchEvent(new Event('x'));
      t.addEventListener('x', once, { once: true });
      t.removeEventListener('x', once);
      t.dispatchEvent(new Event('x'));
      return log;`);
  });

  it('call handleEvent of listener objects with the object as this, looked up at dispatch', async () => {
    await o.same(`${HELPERS}
      const t = new EventTarget();
      const log = [];
      const listener = { handleEvent(e) { log.push(['first', this === listener, e.type]); } };
      t.addEventListener('x', listener);
      t.addEventListener('x', {});
      t.dispatchEvent(new Event('x'));
      listener.handleEvent = function () { log.push(['second', this === listener]); };
      t.dispatchEvent(new Event('x'));
      t.removeEventListener('x', listener);
      t.dispatchEvent(new Event('x'));
      return log;`);
  });

  it('skip a listener removed by an earlier one in the same dispatch', async () => {
    await o.same(`${HELPERS}
      const t = new EventTarget();
      const log = [];
      const b = () => log.push('b');
      const a = () => { log.push('a'); t.removeEventListener('x', b); t.removeEventListener('x', a); };
      t.addEventListener('x', a);
      t.addEventListener('x', b);
      t.addEventListener('x', () => log.push('c'));
      t.dispatchEvent(new Event('x'));
      t.dispatchEvent(new Event('x'));
      return log;`);
  });

  it('stop at stopImmediatePropagation, and report cancelBubble', async () => {
    await o.same(`${HELPERS}
      const t = new EventTarget();
      const log = [];
      t.addEventListener('x', (e) => { log.push(['a', e.cancelBubble]); e.stopImmediatePropagation(); log.push(['a2', e.cancelBubble]); });
      t.addEventListener('x', () => log.push('b'));
      const e = new Event('x');
      const notCanceled = t.dispatchEvent(e);
      const s = new Event('y');
      s.stopPropagation();
      return [log, notCanceled, s.cancelBubble];`);
  });

  it('honour preventDefault only for cancelable events outside passive listeners', async () => {
    await o.same(`${HELPERS}
      const t = new EventTarget();
      const seen = [];
      t.addEventListener('p', (e) => { e.preventDefault(); seen.push(['passive', e.defaultPrevented, e.returnValue]); }, { passive: true });
      t.addEventListener('x', (e) => { e.preventDefault(); seen.push(['x', e.defaultPrevented, e.returnValue]); });
      t.addEventListener('r', (e) => { e.returnValue = false; seen.push(['r', e.defaultPrevented]); });
      return [
        t.dispatchEvent(new Event('x')),
        t.dispatchEvent(new Event('x', { cancelable: true })),
        t.dispatchEvent(new Event('p', { cancelable: true })),
        t.dispatchEvent(new Event('r', { cancelable: true })),
        seen,
      ];`);
  });

  it('remove a listener when the signal passed with it aborts', async () => {
    await o.same(`${HELPERS}
      const t = new EventTarget();
      const log = [];
      const c = new AbortController();
      t.addEventListener('x', () => log.push('a'), { signal: c.signal });
      t.addEventListener('x', () => log.push('pre-aborted'), { signal: AbortSignal.abort() });
      t.dispatchEvent(new Event('x'));
      c.abort();
      t.dispatchEvent(new Event('x'));
      return [log, run(() => t.addEventListener('x', () => {}, { signal: {} }))];`);
  });

  it('check their arguments and receiver as Node does', async () => {
    await o.same(`${HELPERS}
      const t = new EventTarget();
      return [
        run(() => t.addEventListener('x')),
        run(() => t.addEventListener('x', 'not a listener')),
        run(() => t.addEventListener('x', () => {}, 5)),
        run(() => t.addEventListener('x', null)),
        run(() => t.addEventListener('x', undefined)),
        run(() => t.removeEventListener('x')),
        run(() => t.removeEventListener('x', 5)),
        run(() => t.dispatchEvent()),
        run(() => t.dispatchEvent({ type: 'x' })),
        run(() => EventTarget.prototype.addEventListener.call({}, 'x', () => {})),
        run(() => EventTarget.prototype.dispatchEvent.call(null, new Event('x'))),
      ];`);
  });

  it('refuse to dispatch an event that is being dispatched', async () => {
    await o.same(`${HELPERS}
      const t = new EventTarget();
      const e = new Event('x');
      let inner;
      t.addEventListener('x', () => { inner = run(() => t.dispatchEvent(e)); });
      t.dispatchEvent(e);
      return inner;`);
  });
});

describe('Event and CustomEvent', () => {
  it('carry their options and state as in Node', async () => {
    await o.same(`${HELPERS}
      const t = new EventTarget();
      const e = new Event('x', { bubbles: 1, cancelable: true, composed: 'y' });
      const before = [e.type, e.bubbles, e.cancelable, e.composed, e.target, e.currentTarget, e.srcElement,
        e.eventPhase, e.defaultPrevented, e.returnValue, e.isTrusted, typeof e.timeStamp, e.composedPath(),
        e.cancelBubble];
      let during;
      t.addEventListener('x', (ev) => { during = [ev.target === t, ev.currentTarget === t, ev.srcElement === t, ev.eventPhase, ev.composedPath().length]; });
      t.dispatchEvent(e);
      const after = [e.target === t, e.currentTarget, e.eventPhase, e.composedPath()];
      e.initEvent('z', true, false);
      const c = new CustomEvent('c', { detail: { a: 1 } });
      return {
        before, during, after, init: [e.type, e.bubbles, e.cancelable],
        custom: [c.detail, new CustomEvent('d').detail, c instanceof Event, Object.prototype.toString.call(c)],
        statics: [Event.NONE, Event.CAPTURING_PHASE, Event.AT_TARGET, Event.BUBBLING_PHASE],
        errors: [run(() => new Event()), run(() => new Event('x', 5)), run(() => new Event('x', [])),
          run(() => new CustomEvent()), run(() => Event.prototype.preventDefault.call({})),
          run(() => Object.getOwnPropertyDescriptor(CustomEvent.prototype, 'detail').get.call(new Event('x'))),
          run(() => new Event(Symbol('s'))).name],
        tags: [Object.prototype.toString.call(e), Object.prototype.toString.call(t)],
      };`);
  });
});

describe('where the isolate follows the DOM standard and Node 24 does not', () => {
  it('every listener of a dispatch sees currentTarget and AT_TARGET (Node: only the first)', async () => {
    const body = `
      const t = new EventTarget();
      const seen = [];
      for (let i = 0; i < 3; i++) t.addEventListener('x', (e) => seen.push([e.currentTarget === t, e.eventPhase]));
      t.dispatchEvent(new Event('x'));
      return seen;`;
    expect(await o.inIsolate(body)).toEqual([
      [true, 2],
      [true, 2],
      [true, 2],
    ]);
    expect(await inNode(body)).toEqual([
      [true, 2],
      [false, 0],
      [false, 0],
    ]);
  });

  it('a listener added during a dispatch waits for the next one (Node: runs it unless last)', async () => {
    const body = `
      const t = new EventTarget();
      const log = [];
      t.addEventListener('x', () => { log.push('a'); t.addEventListener('x', () => log.push('added')); });
      t.addEventListener('x', () => log.push('b'));
      t.dispatchEvent(new Event('x'));
      log.push('|');
      return log;`;
    expect(await o.inIsolate(body)).toEqual(['a', 'b', '|']);
    expect(await inNode(body)).toEqual(['a', 'b', 'added', '|']);
  });

  it('a boolean capture argument of removeEventListener counts (Node: ignored)', async () => {
    const body = `
      const t = new EventTarget();
      let n = 0;
      const f = () => n++;
      t.addEventListener('x', f, true);
      t.removeEventListener('x', f, true);
      t.dispatchEvent(new Event('x'));
      return n;`;
    expect(await o.inIsolate(body)).toBe(0);
    expect(await inNode(body)).toBe(1);
  });

  it('an event stopped in one dispatch is heard again in the next (Node: never again)', async () => {
    const body = `
      const t = new EventTarget();
      const log = [];
      t.addEventListener('x', (e) => { log.push('a'); e.stopImmediatePropagation(); });
      t.addEventListener('x', () => log.push('passive'), { passive: true });
      const e = new Event('x');
      t.dispatchEvent(e);
      t.dispatchEvent(e);
      return log;`;
    expect(await o.inIsolate(body)).toEqual(['a', 'a']);
    expect(await inNode(body)).toEqual(['a']);
  });
});

describe('a listener that throws', () => {
  it('does not stop the dispatch, and fails the invocation as an uncaught exception ends Node', async () => {
    const fn = o.deploy(
      'events-throwing-listener',
      `export async function handler() {
        const t = new EventTarget();
        const log = [];
        t.addEventListener('x', () => { throw new RangeError('listener failed'); });
        t.addEventListener('x', () => log.push('after'));
        const result = t.dispatchEvent(new Event('x'));
        globalThis.seen = [log, result];
        await new Promise((resolve) => setTimeout(resolve, 50));
        return 'not reached';
      }`,
    );
    const out = await o.runtime.invoke(fn, '');
    expect(out.ok).toBe(false);
    expect(JSON.stringify(out)).toContain('listener failed');
  });

  it('a rejected promise returned by a listener is reported the same way', async () => {
    const fn = o.deploy(
      'events-rejecting-listener',
      `export async function handler() {
        const c = new AbortController();
        c.signal.addEventListener('abort', async () => { throw new TypeError('async listener failed'); });
        c.abort();
        await new Promise((resolve) => setTimeout(resolve, 50));
        return 'not reached';
      }`,
    );
    const out = await o.runtime.invoke(fn, '');
    expect(out.ok).toBe(false);
    expect(JSON.stringify(out)).toContain('async listener failed');
  });
});
