import { afterAll, describe, expect, it } from 'vitest';
import runtimePackage from '../../package.json' with { type: 'json' };
import { createOracle, inNode } from './oracle.ts';

// atob, btoa, DOMException, performance, navigator and self in an isolate, against Node.
const o = createOracle();
const { USER_AGENT } = (await import(
  new URL('../../src/sandbox/platform/basics.js', import.meta.url).href
)) as { USER_AGENT: string };
afterAll(() => o.dispose());

const HELPERS = `
  const err = (e) => ({ name: e.name, code: e.code, message: e.message, isDOMException: e instanceof DOMException });
  const run = (f) => { try { return f(); } catch (e) { return err(e); } };
`;

describe('atob and btoa', () => {
  it('decode and refuse exactly as Node does', async () => {
    const inputs = [
      '',
      'a',
      'ab',
      'abc',
      'abcd',
      'ab==',
      'ab=',
      'abc=',
      'a===',
      'ab=c',
      'ab==c',
      'abcde',
      'a b\tc\nd',
      ' ab\f\r==',
      'ab*c',
      'a*',
      'a*bcd',
      '*',
      'abcd=',
      'abcd==',
      'ab\u00a0cd',
      'YQ',
      'YR==',
      'YR',
      '====',
      '=',
      'ab= =',
      'a\u0100',
      'ab-_',
      'AAAAAAAAAAAAA',
      '\u0000',
      'ab\vcd',
      '/+/+',
      'SGVsbG8sIFdvcmxkIQ==',
      'x'.repeat(20_001),
    ];
    await o.same(`${HELPERS}
      const inputs = ${JSON.stringify(inputs)};
      return [...inputs, undefined, null, 12, { toString: () => 'YQ' }].map((s) => run(() => atob(s)))
        .concat([run(() => atob()), atob.length, atob.name]);`);
  });

  it('encode Latin-1 strings and refuse wider characters as Node does', async () => {
    await o.same(`${HELPERS}
      const all = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
      return ['', 'a', 'ab', 'abc', 'hello world', all, all.repeat(40), '\\u0100', 'a\\ud800', undefined, null, 1.5]
        .map((s) => run(() => btoa(s)))
        .concat([run(() => btoa()), run(() => atob(btoa(all)) === all), btoa.length, btoa.name]);`);
  });
});

describe('DOMException', () => {
  it('has every name and legacy code of Node', async () => {
    await o.same(`${HELPERS}
      const names = ['IndexSizeError', 'DOMStringSizeError', 'HierarchyRequestError', 'WrongDocumentError',
        'InvalidCharacterError', 'NoDataAllowedError', 'NoModificationAllowedError', 'NotFoundError',
        'NotSupportedError', 'InUseAttributeError', 'InvalidStateError', 'SyntaxError',
        'InvalidModificationError', 'NamespaceError', 'InvalidAccessError', 'ValidationError',
        'TypeMismatchError', 'SecurityError', 'NetworkError', 'AbortError', 'URLMismatchError',
        'QuotaExceededError', 'TimeoutError', 'InvalidNodeTypeError', 'DataCloneError', 'EncodingError',
        'NotReadableError', 'OperationError', 'DataError', 'Error', 'whatever', 'toString', '__proto__'];
      const constants = Object.getOwnPropertyNames(DOMException).filter((k) => /_ERR$/.test(k))
        .map((k) => [k, DOMException[k], DOMException.prototype[k], Object.getOwnPropertyDescriptor(DOMException, k)]);
      return [names.map((n) => { const e = new DOMException('m', n); return [e.name, e.code, e.message]; }), constants];`);
  });

  it('is an Error made the way Node makes it', async () => {
    await o.same(`${HELPERS}
      const e = new DOMException('gone', 'NotFoundError');
      const d = new DOMException();
      const opts = new DOMException('x', { name: 'AbortError', cause: { why: 1 } });
      const noCause = new DOMException('x', { name: 'AbortError' });
      class Sub extends DOMException { constructor() { super('sub', 'SyntaxError'); } }
      const s = new Sub();
      return [
        [e.name, e.message, e.code, String(e), e instanceof Error, Error.isError(e), Object.prototype.toString.call(e)],
        e.stack.split('\\n')[0], Object.getOwnPropertyNames(e), Object.keys(e),
        [d.name, d.message, d.code],
        [opts.name, opts.cause, Object.getOwnPropertyNames(opts), 'cause' in noCause],
        [new DOMException(undefined, undefined).name, new DOMException(null, null).name, new DOMException(1, 2).message],
        [s instanceof Sub, s instanceof DOMException, s.code, s.name, Object.prototype.toString.call(s), s.stack.split('\\n')[0]],
        run(() => Object.getOwnPropertyDescriptor(DOMException.prototype, 'name').get.call({})),
        run(() => Object.getOwnPropertyDescriptor(DOMException.prototype, 'code').get.call(new Error())),
        run(() => DOMException()).name,
        [Object.getPrototypeOf(DOMException) === Function.prototype, DOMException.length, DOMException.name],
        Object.keys(DOMException.prototype).length,
      ];`);
  });

  it('reports a thrown DOMException by its name and message (read without any getter)', async () => {
    const fn = o.deploy(
      'throws-dom',
      `export function handler() { throw new DOMException('nothing here', 'NotFoundError') }`,
    );
    const out = await o.runtime.invoke(fn, '');
    expect(out).toMatchObject({
      ok: false,
      reason: 'error',
      error: { name: 'NotFoundError', message: 'nothing here' },
    });
    expect(out.ok ? '' : out.error?.stack).toMatch(/^NotFoundError: nothing here/);
  });
});

describe('performance, navigator and self', () => {
  it('performance counts milliseconds from its time origin', async () => {
    const out = (await o.inIsolate(`
      const a = performance.now();
      const started = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 30));
      const b = performance.now();
      return [a >= 0, b - a >= 25, Math.abs(performance.timeOrigin + b - Date.now()) <= 5,
        Math.abs(performance.timeOrigin - started) < 60_000, performance.toJSON().timeOrigin === performance.timeOrigin,
        Object.prototype.toString.call(performance), performance instanceof EventTarget,
        (() => { try { performance.now.call({}); } catch (e) { return e.code; } })(),
        typeof new Event('x').timeStamp];`)) as unknown[];
    expect(out).toEqual([
      true,
      true,
      true,
      true,
      true,
      '[object Performance]',
      true,
      'ERR_INVALID_THIS',
      'number',
    ]);
  });

  it('navigator.userAgent names the product and its version', async () => {
    expect(USER_AGENT).toBe(`mini-lambda/${runtimePackage.version}`);
    expect(
      await o.inIsolate(
        'return [navigator.userAgent, Object.keys(Object.getPrototypeOf(navigator))]',
      ),
    ).toEqual([USER_AGENT, ['userAgent']]);
    // Node's says Node.js/24; the same shape (product/version).
    expect(await inNode('return navigator.userAgent')).toMatch(/^Node\.js\/\d+$/);
  });

  it('self is the global object and can be replaced', async () => {
    expect(
      await o.inIsolate(`
        const before = self === globalThis && globalThis.self === self;
        self = 5;
        return [before, globalThis.self, Object.getOwnPropertyDescriptor(globalThis, 'self').enumerable];`),
    ).toEqual([true, 5, false]);
  });

  it('the lazy globals cost nothing until read, and then are plain values', async () => {
    expect(
      await o.inIsolate(`
        const d = (k) => { const x = Object.getOwnPropertyDescriptor(globalThis, k); return [typeof x.get, 'value' in x]; };
        const before = [d('performance'), d('navigator')];
        performance.now(); navigator.userAgent;
        return [before, [d('performance'), d('navigator')]];`),
    ).toEqual([
      [
        ['function', false],
        ['function', false],
      ],
      [
        ['undefined', true],
        ['undefined', true],
      ],
    ]);
  });
});
