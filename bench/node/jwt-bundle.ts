// The cold-start function of bench/node: jsonwebtoken from the compatibility corpus's
// node_modules (compat/, installed by `make examples`), bundled once by mini-lambda's own
// bundler from a zip as a deploy would be, then deployed as that one module.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle } from '@mini-lambda/bundler';
import { makeZip } from '@mini-lambda/testkit/zip';

const COMPAT = fileURLToPath(new URL('../../compat/', import.meta.url));
const HANDLER = `const jwt = require('jsonwebtoken');
exports.handler = async (event) => {
  const token = jwt.sign({ sub: event?.name ?? 'world' }, 'a-secret-of-32-bytes-for-hs256!!', { algorithm: 'HS256' });
  const claims = jwt.verify(token, 'a-secret-of-32-bytes-for-hs256!!');
  return { sub: claims.sub, parts: token.split('.').length };
};
`;

/** A package and everything it depends on, in the flat npm tree of compat/node_modules. */
function closure(name: string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen;
  seen.add(name);
  const pkg = JSON.parse(readFileSync(join(COMPAT, 'node_modules', name, 'package.json'), 'utf8'));
  for (const dep of Object.keys(pkg.dependencies ?? {})) closure(dep, seen);
  return seen;
}

function filesUnder(dir: string, into: Record<string, Buffer>): void {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) filesUnder(path, into);
    else into[relative(COMPAT, path)] = readFileSync(path);
  }
}

export async function jwtSource(): Promise<string> {
  if (!existsSync(join(COMPAT, 'node_modules/jsonwebtoken'))) {
    throw new Error('compat/node_modules is missing: run `make examples` first');
  }
  const files: Record<string, Buffer> = { 'index.js': Buffer.from(HANDLER) };
  for (const name of closure('jsonwebtoken')) filesUnder(join(COMPAT, 'node_modules', name), files);
  const result = await bundle({ kind: 'archive', zip: await makeZip(files), entry: 'index.js' });
  return result.code;
}
