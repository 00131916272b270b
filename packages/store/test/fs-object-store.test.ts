import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createFsObjectStore } from '../src/index.ts';
import { objectStoreContract } from './object-store-contract.ts';

const root = mkdtempSync(join(tmpdir(), 'mini-lambda-fs-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

objectStoreContract('filesystem', () => createFsObjectStore(root));

it('leaves no temporary files behind a put', async () => {
  const store = createFsObjectStore(root);
  await store.put('tmpcheck/x', Buffer.from('x'));
  expect(readdirSync(join(root, 'tmpcheck'))).toEqual(['x']);
});
