// The node-compat benchmark's function: a SHA-256 of 1 KB with node:crypto and a Buffer
// round trip (hex → base64 → bytes). The same file runs in mini-lambda (deployed), in
// plain Node (plain-node.ts) and in workerd with nodejs_compat (a fetch wrapper).
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';

const KB = Buffer.alloc(1024, 'mini-lambda');

export async function handler(event) {
  const data = Buffer.concat([Buffer.from(String(event?.name ?? 'world')), KB]).subarray(0, 1024);
  const hex = createHash('sha256').update(data).digest('hex');
  const base64 = Buffer.from(hex, 'hex').toString('base64');
  return { sha256: hex, bytes: Buffer.from(base64, 'base64').length };
}
