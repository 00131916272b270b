// The corpus's results as the markdown table the docs carry, and a readable first difference.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { COMPAT_ROOT } from './closure.ts';

export interface Outcome {
  name: string;
  pkg: string;
  checks: string;
  /** The upload (zip) and the bundle the server built, in bytes; absent when the step failed. */
  zipBytes?: number;
  bundleBytes?: number;
  pass: boolean;
  /** Why it failed: the deploy's or invoke's error, or where the result differs from Node's. */
  failure?: string;
  /** Reason given in the expected-failures map, if any. */
  expected?: string;
}

export function versionOf(pkg: string): string {
  if (!existsSync(join(COMPAT_ROOT, 'node_modules', pkg, 'package.json'))) return 'built-in';
  const manifest = JSON.parse(
    readFileSync(join(COMPAT_ROOT, 'node_modules', pkg, 'package.json'), 'utf8'),
  ) as { version: string };
  return manifest.version;
}

const show = (value: unknown) => {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
};

/** The first path where `actual` and `expected` (JSON values) differ, or undefined. */
export function firstDifference(
  actual: unknown,
  expected: unknown,
  path = '$',
): string | undefined {
  if (isDeepStrictEqual(actual, expected)) return undefined;
  const bothObjects =
    typeof actual === 'object' &&
    actual !== null &&
    typeof expected === 'object' &&
    expected !== null;
  if (bothObjects && Array.isArray(actual) === Array.isArray(expected)) {
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    for (const key of new Set([...Object.keys(e), ...Object.keys(a)])) {
      const found = firstDifference(a[key], e[key], `${path}.${key}`);
      if (found) return found;
    }
  }
  return `${path}: sandbox ${show(actual)}, Node ${show(expected)}`;
}

const size = (bytes: number | undefined) => {
  if (bytes === undefined) return '—';
  return bytes < 1024 * 1024
    ? `${(bytes / 1024).toFixed(1)} KB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
};
const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function markdownTable(outcomes: Outcome[], timing: string, when = new Date()): string {
  const passed = outcomes.filter((o) => o.pass).length;
  const lines = [
    '# Compatibility corpus',
    '',
    `${passed} of ${outcomes.length} cases pass (${when.toISOString()}). Each case is a function from`,
    'compat/cases deployed as a zip with its packages from compat/node_modules, invoked on a real',
    'server, and its result compared with the same handler run in Node 24 with the same event.',
    `Run: ${timing}.`,
    '',
    '| package | version | what is checked | result | upload (zip) | bundle | notes |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const o of outcomes) {
    const result = o.pass ? 'pass' : o.expected ? 'fails (known)' : 'FAIL';
    const notes = [o.failure ?? '', o.expected ? `(expected: ${o.expected})` : '']
      .filter(Boolean)
      .join(' ');
    lines.push(
      `| ${o.pkg === o.name ? o.pkg : `${o.pkg} (${o.name})`} | ${versionOf(o.pkg)} | ${cell(o.checks)} | ${result} | ${size(o.zipBytes)} | ${size(o.bundleBytes)} | ${cell(notes)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
