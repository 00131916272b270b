import { inflateRawSync } from 'node:zlib';

/** One file of a zip as stored: its bytes and the Unix mode of its external attributes. */
export interface ZipEntry {
  data: Buffer;
  mode: number;
}

/**
 * Reads a zip made by yazl (no zip64, no encryption) through its central directory. A few
 * lines instead of a dependency: yauzl belongs to the bundler, not to this package.
 */
export function readZip(zip: Buffer): Map<string, ZipEntry> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip: no end of central directory');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries = new Map<string, ZipEntry>();
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('bad central directory entry');
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const external = zip.readUInt32LE(at + 38);
    const localHeader = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const dataStart =
      localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const raw = zip.subarray(dataStart, dataStart + compressedSize);
    entries.set(name, {
      data: method === 8 ? inflateRawSync(raw) : Buffer.from(raw),
      mode: external >>> 16,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
