import { describe, expect, it } from 'vitest';
import { BundleStore } from '../src/bundle-store.ts';
import type { ObjectStore } from '../src/object-store.ts';

/** The behaviour every ObjectStore owes, run against each implementation. */
export function objectStoreContract(name: string, store: () => ObjectStore): void {
  describe(`${name}: object store contract`, () => {
    it('puts, gets, tells existence and deletes', async () => {
      const s = store();
      const key = `contract/${name}/a.js`;
      expect(await s.has(key)).toBe(false);
      expect(await s.get(key)).toBeUndefined();
      await s.put(key, Buffer.from('first'));
      await s.put(key, Buffer.from('second'));
      expect(await s.has(key)).toBe(true);
      expect((await s.get(key))?.toString()).toBe('second');
      await s.delete(key);
      await s.delete(key);
      expect(await s.has(key)).toBe(false);
      await s.check();
    });

    it('keeps binary and empty bodies exact', async () => {
      const s = store();
      const bytes = Buffer.from([0, 255, 1, 254, 10, 13]);
      await s.put(`contract/${name}/bin`, bytes);
      await s.put(`contract/${name}/empty`, Buffer.alloc(0));
      expect(await s.get(`contract/${name}/bin`)).toEqual(bytes);
      expect((await s.get(`contract/${name}/empty`))?.length).toBe(0);
    });

    it.each(['../escape', '/abs', 'a/../b', 'UPPER', '', 'a//b'])(
      'refuses the key %j',
      async (key) => {
        await expect(store().put(key, Buffer.from('x'))).rejects.toMatchObject({
          code: 'InternalError',
        });
      },
    );

    it('stores a bundle under its hash, checks the hash on read, and repairs on redeploy', async () => {
      const s = store();
      const bundles = new BundleStore(s);
      const code = `export const handler = () => "${name}"`;
      const sha = await bundles.put(code);
      expect(await bundles.put(code)).toBe(sha);
      expect(await bundles.get(sha)).toBe(code);
      await s.put(BundleStore.keyOf(sha), Buffer.from('tampered'));
      await expect(bundles.get(sha)).rejects.toMatchObject({ code: 'InternalError' });
      expect(await bundles.put(code)).toBe(sha);
      expect(await bundles.get(sha)).toBe(code);
      await bundles.delete(sha);
      expect(await bundles.get(sha)).toBeUndefined();
    });
  });
}
