import { buildSync } from 'esbuild';

const ENTRY = new URL('./sandbox/prelude/index.js', import.meta.url).pathname;
const GLOBAL = '__miniLambdaPrelude';

let built: string | undefined;

/**
 * The in-isolate prelude: sandbox/prelude and sandbox/platform bundled by esbuild into
 * one classic script whose completion value is `install`. Built once per process, on
 * first use (≈ 50 ms); kept as ES modules so it is linted, tested and readable.
 * Whitespace and syntax are minified, identifiers are not: class and function names
 * are what user code sees (`TextEncoder.name`).
 */
export function preludeSource(): string {
  built ??= build();
  return built;
}

function build(): string {
  const result = buildSync({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: GLOBAL,
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['worker', 'browser', 'import'],
    target: 'es2022',
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.text ?? '';
  // The IIFE's `var` stays inside this function; the script's value is install.
  return `(function(){${code}return ${GLOBAL}.install;})()`;
}
