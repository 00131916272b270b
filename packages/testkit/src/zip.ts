import { ZipFile } from 'yazl';

/** Builds a zip in memory with yazl; `mode` lets a test mark an entry as a symlink. */
export async function makeZip(
  files: Record<string, string | Buffer | { data: string; mode: number }>,
): Promise<Buffer> {
  const zip = new ZipFile();
  for (const [name, content] of Object.entries(files)) {
    if (typeof content === 'string' || Buffer.isBuffer(content))
      zip.addBuffer(Buffer.from(content), name);
    else zip.addBuffer(Buffer.from(content.data), name, { mode: content.mode });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Rewrites an entry name in place (same length), to make names yazl itself refuses. */
export function renameEntry(zip: Buffer, from: string, to: string): Buffer {
  if (from.length !== to.length) throw new Error('names must have the same length');
  const out = Buffer.from(zip);
  const needle = Buffer.from(from);
  for (let i = out.indexOf(needle); i >= 0; i = out.indexOf(needle, i + 1)) out.write(to, i);
  return out;
}
