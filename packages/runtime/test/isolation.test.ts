import { afterAll, describe, expect, it } from 'vitest';
import { createTestRuntime, EXECUTION_MODES } from './harness.ts';

describe.each(EXECUTION_MODES)('%s execution', (execution) => {
  const t = createTestRuntime({ execution });
  afterAll(() => t.runtime.dispose());

  const probe = (name: string, expression: string) =>
    t.runtime.invoke(t.deploy(name, `export function handler() { return ${expression} }`), '');

  describe('isolation', () => {
    it.each([
      ['process', 'typeof process'],
      ['require', 'typeof require'],
      ['the Function constructor', '(function(){}).constructor("return typeof process")()'],
      ['an indirect eval', '(0, eval)("typeof process")'],
      ['SharedArrayBuffer', 'typeof SharedArrayBuffer'],
      ['Atomics', 'typeof Atomics'],
      ['WebAssembly', 'typeof WebAssembly'],
      ['the isolated-vm module', 'typeof ivm'],
      ['setTimeout from the host', 'typeof setTimeout'],
    ])('hides %s', async (_, expression) => {
      expect(await probe(`hides-${_.replace(/\W/g, '')}`, expression)).toMatchObject({
        ok: true,
        result: '"undefined"',
      });
    });

    it('leaves no host object reachable from the global', async () => {
      const out = await probe(
        'globals',
        `Object.getOwnPropertyNames(globalThis).filter((k) => {
          const v = globalThis[k];
          return v && typeof v === 'object' && /Reference|ExternalCopy|Callback|Isolate/.test(Object.prototype.toString.call(v) + (v.constructor?.name ?? ''));
        })`,
      );
      expect(out).toMatchObject({ ok: true, result: '[]' });
    });

    it('keeps the globals and prototype changes of one function from another', async () => {
      const writer = t.deploy(
        'writer',
        `export function handler() {
          globalThis.secret = 's3cret';
          Object.prototype.polluted = true;
          Array.prototype.map = () => 'hijacked';
          return 'written';
        }`,
      );
      const reader = t.deploy(
        'reader',
        `export function handler() {
          return [typeof secret, ({}).polluted === undefined, [1].map((x) => x + 1)[0]];
        }`,
      );
      expect(await t.runtime.invoke(writer, '')).toMatchObject({ ok: true, result: '"written"' });
      expect(await t.runtime.invoke(reader, '')).toMatchObject({
        ok: true,
        result: '["undefined",true,2]',
      });
    });

    it('keeps two versions of one function apart', async () => {
      const v1 = t.deploy(
        'versions',
        'globalThis.tag = "one"; export const handler = () => tag',
        {},
        1,
      );
      const v2 = t.deploy('versions', 'export const handler = () => typeof tag', {}, 2);
      expect(await t.runtime.invoke(v1, '')).toMatchObject({ ok: true, result: '"one"' });
      expect(await t.runtime.invoke(v2, '')).toMatchObject({ ok: true, result: '"undefined"' });
    });

    it('still reports outcomes after the function replaces JSON and Array intrinsics', async () => {
      const fn = t.deploy(
        'tamper',
        `export function handler(e) {
          JSON.stringify = () => '"forged"';
          JSON.parse = () => 'forged';
          Array.prototype.push = () => 0;
          Array.prototype.join = () => 'forged';
          console.log('still captured');
          if (e === 'throw') throw new Error('real error');
          return { real: true };
        }`,
      );
      const first = await t.runtime.invoke(fn, '"go"');
      expect(first).toMatchObject({
        ok: true,
        result: '{"real":true}',
        logs: { text: 'INFO still captured' },
      });
      const second = await t.runtime.invoke(fn, '"throw"');
      expect(second).toMatchObject({
        ok: false,
        reason: 'error',
        error: { message: 'real error' },
      });
    });
  });
});
