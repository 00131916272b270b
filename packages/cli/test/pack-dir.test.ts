import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PACK_LIMITS, packDirectory } from '../src/pack-dir.ts';
import { readZip } from './read-zip.ts';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mini-lambda-pack-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes files (paths with `/`) under `root`, creating directories on the way. */
async function write(root: string, files: Record<string, string | Buffer>) {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

describe('packDirectory', () => {
  it('zips files with relative paths, node_modules included and .git left out', async () => {
    const project = join(dir, 'project');
    await write(project, {
      'index.ts': 'export const handler = () => 1',
      'lib/util.ts': 'export const x = 1',
      'node_modules/left-pad-lite/package.json': '{"name":"left-pad-lite","type":"module"}',
      'node_modules/left-pad-lite/index.js': 'export const pad = (s) => s',
      '.git/HEAD': 'ref: refs/heads/main',
      '.env': 'A=1',
    });
    const packed = await packDirectory(project);
    const entries = readZip(packed.zip);
    expect([...entries.keys()].sort()).toEqual([
      '.env',
      'index.ts',
      'lib/util.ts',
      'node_modules/left-pad-lite/index.js',
      'node_modules/left-pad-lite/package.json',
    ]);
    expect(entries.get('lib/util.ts')?.data.toString()).toBe('export const x = 1');
    expect(packed).toMatchObject({ files: 5, skipped: [] });
    expect(packed.rawBytes).toBe(
      [...entries.values()].reduce((n, entry) => n + entry.data.length, 0),
    );
  });

  it('stores symlinks as the regular files they point to', async () => {
    const project = join(dir, 'project');
    const outside = join(dir, 'shared');
    await write(outside, { 'dep.js': 'export const shared = 42' });
    await write(project, { 'index.js': 'export const handler = () => 1' });
    await symlink(join(outside, 'dep.js'), join(project, 'linked-file.js'));
    await mkdir(join(project, 'node_modules'));
    await symlink(outside, join(project, 'node_modules', 'shared'));
    const entries = readZip((await packDirectory(project)).zip);
    for (const name of ['linked-file.js', 'node_modules/shared/dep.js']) {
      const entry = entries.get(name);
      expect(entry?.data.toString()).toBe('export const shared = 42');
      // A symlink entry would be refused by the server: the mode must say regular file.
      expect((entry?.mode ?? 0) & S_IFMT).toBe(S_IFREG);
    }
  });

  it('skips a symlink that loops back to a parent, and a broken one, saying so', async () => {
    const project = join(dir, 'project');
    await write(project, { 'index.js': 'x', 'sub/a.js': 'a' });
    await symlink(project, join(project, 'sub', 'loop'));
    await symlink(join(dir, 'missing'), join(project, 'dangling.js'));
    const packed = await packDirectory(project);
    expect([...readZip(packed.zip).keys()].sort()).toEqual(['index.js', 'sub/a.js']);
    expect(packed.skipped).toEqual([
      'dangling.js (a broken symlink or unreadable)',
      'sub/loop (a symlink back to a parent directory)',
    ]);
  });

  it('refuses more files than the server accepts before zipping them', async () => {
    await write(dir, { 'a.js': 'a', 'b.js': 'b', 'c.js': 'c' });
    await expect(packDirectory(dir, { ...PACK_LIMITS, maxFiles: 2 })).rejects.toMatchObject({
      kind: 'failure',
      message: expect.stringContaining('more than 2 files'),
    });
  });

  it('refuses a zip over the upload bound with sizes in the message', async () => {
    await write(dir, {
      'random.bin': randomBytes(4096),
    });
    await expect(packDirectory(dir, { ...PACK_LIMITS, maxZipBytes: 1024 })).rejects.toMatchObject({
      kind: 'failure',
      message: expect.stringMatching(/packs to [\d.]+ KB; the server accepts at most 1\.0 KB/),
    });
  });

  it('refuses too many bytes of files before reading past the bound', async () => {
    await write(dir, { 'a.bin': Buffer.alloc(2048), 'b.bin': Buffer.alloc(2048) });
    await expect(packDirectory(dir, { ...PACK_LIMITS, maxRawBytes: 3000 })).rejects.toMatchObject({
      message: expect.stringContaining('more than 2.9 KB of files'),
    });
  });

  it('refuses an empty directory', async () => {
    await mkdir(join(dir, '.git'));
    await expect(packDirectory(dir)).rejects.toThrow(/Nothing to deploy/);
  });
});
