import type { Sql } from 'postgres';
import { describe, expect, it } from 'vitest';
import type { Registry } from '../src/index.ts';

export const SHA = (n: number) => n.toString(16).padStart(64, '0');

/** What the registry owes on any PostgreSQL: a real server or the embedded PGlite. */
export function registryContract(name: string, registryOf: () => Registry, sqlOf: () => Sql): void {
  describe(`registry on ${name}`, () => {
    it('records versions with their config, and lists and details them', async () => {
      const v1 = await registryOf().deploy('reg-basic', {
        sha256: SHA(1),
        size: 10,
        handler: 'event',
        config: { timeout_ms: 500 },
      });
      const v2 = await registryOf().deploy('reg-basic', {
        sha256: SHA(2),
        size: 20,
        handler: 'event',
      });
      expect(v1).toMatchObject({
        name: 'reg-basic',
        version: 1,
        sha256: SHA(1),
        config: { timeout_ms: 500, memory_mb: 128 },
      });
      expect(v2).toMatchObject({ version: 2, config: { timeout_ms: 500 } });
      expect(await registryOf().version('reg-basic')).toMatchObject({ version: 2, sha256: SHA(2) });
      expect(await registryOf().version('reg-basic', 1)).toMatchObject({
        version: 1,
        sha256: SHA(1),
      });
      expect(await registryOf().version('reg-basic', 3)).toBeUndefined();
      expect(await registryOf().version('nope')).toBeUndefined();
      expect((await registryOf().list()).find((f) => f.name === 'reg-basic')).toMatchObject({
        latestVersion: 2,
      });
      expect(await registryOf().details('reg-basic')).toMatchObject({
        latestVersion: 2,
        versions: [
          { version: 1, size: 10 },
          { version: 2, size: 20 },
        ],
      });
    });

    it('gives 20 concurrent deploys of one name 20 distinct consecutive versions', async () => {
      const deploys = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          registryOf().deploy('reg-race', { sha256: SHA(i), size: i, handler: 'event' }),
        ),
      );
      expect(deploys.map((d) => d.version).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      expect(await registryOf().details('reg-race')).toMatchObject({ latestVersion: 20 });
    });

    it('refuses a deploy whose merged config is invalid, writing nothing', async () => {
      await registryOf().deploy('reg-badcfg', { sha256: SHA(4), size: 1, handler: 'event' });
      await expect(
        registryOf().deploy('reg-badcfg', {
          sha256: SHA(5),
          size: 1,
          handler: 'event',
          config: { memory_mb: 5 },
        }),
      ).rejects.toMatchObject({ code: 'InvalidConfig' });
      expect(await registryOf().details('reg-badcfg')).toMatchObject({ latestVersion: 1 });
    });

    it('patches config and deletes a function with its versions', async () => {
      await registryOf().deploy('reg-patch', { sha256: SHA(9), size: 1, handler: 'fetch' });
      expect(
        await registryOf().patch('reg-patch', { memory_mb: 256, env: { A: '1' } }),
      ).toMatchObject({
        memory_mb: 256,
        env: { A: '1' },
        timeout_ms: 3000,
      });
      expect(await registryOf().patch('nope', { memory_mb: 256 })).toBeUndefined();
      expect(await registryOf().remove('reg-patch')).toBe(true);
      expect(await registryOf().remove('reg-patch')).toBe(false);
      expect(
        await sqlOf()`SELECT count(*)::int AS n FROM function_versions WHERE name = 'reg-patch'`,
      ).toEqual([{ n: 0 }]);
    });
  });
}
