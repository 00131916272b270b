// An upload as a user's deploy makes it: the case file as the entry plus the packages it needs
// from compat/node_modules, found the way Node resolves them (nested node_modules first, then up).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';

export const COMPAT_ROOT = new URL('..', import.meta.url).pathname.replace(/\/$/, '');

/** The npm packages a source file imports or requires by bare name (built-ins left out). */
export function importedPackages(source: string): string[] {
  const names = new Set<string>();
  const pattern =
    /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;
  for (const [, specifier] of source.matchAll(pattern)) {
    if (!specifier || specifier.startsWith('.') || specifier.startsWith('node:')) continue;
    const parts = specifier.split('/');
    const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? '');
    if (!builtinModules.includes(name)) names.add(name);
  }
  return [...names].sort();
}

interface Manifest {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** Where `name` resolves from a package directory: its own node_modules, then each parent's. */
function resolvePackage(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; dir.startsWith(COMPAT_ROOT); dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === COMPAT_ROOT) break;
  }
  return undefined;
}

/** The package directories needed by `names`: dependencies, optional and (installed) peer ones. */
export function packageClosure(names: string[]): string[] {
  const found = new Set<string>();
  const visit = (name: string, fromDir: string, required: boolean) => {
    const dir = resolvePackage(name, fromDir);
    if (!dir) {
      if (required) throw new Error(`${name} is not installed under ${COMPAT_ROOT}`);
      return;
    }
    if (found.has(dir)) return;
    found.add(dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, dir, true);
    for (const dep of Object.keys(manifest.optionalDependencies ?? {})) visit(dep, dir, false);
    for (const dep of Object.keys(manifest.peerDependencies ?? {})) visit(dep, dir, false);
  };
  for (const name of names) visit(name, COMPAT_ROOT, true);
  return [...found].sort();
}

/** Every file of a package directory except its nested node_modules (those are packages too). */
function filesUnder(dir: string, into: Record<string, Buffer>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') filesUnder(path, into);
    } else if (entry.isFile()) into[relative(COMPAT_ROOT, path)] = readFileSync(path);
  }
}

/** The archive's files: the case at the top (as `entry`) and its package closure. */
export function uploadFiles(caseFile: string): { entry: string; files: Record<string, Buffer> } {
  const source = readFileSync(join(COMPAT_ROOT, 'cases', caseFile), 'utf8');
  const files: Record<string, Buffer> = { [caseFile]: Buffer.from(source) };
  for (const dir of packageClosure(importedPackages(source))) filesUnder(dir, files);
  return { entry: caseFile, files };
}
