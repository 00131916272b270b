import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Plugin } from 'esbuild';

const SANDBOX_DIR = new URL('./sandbox/', import.meta.url).pathname;
const ERRORS = JSON.stringify(resolve(SANDBOX_DIR, 'node/internal/errors.js'));

/**
 * Exact edits to pinned library files, where the library is right but for a stub or a
 * missing case, and writing the module again would be worse. Each `from` must occur in
 * the file exactly once: a new version of the library fails the build until the edits
 * are reviewed.
 */
const PATCHES: readonly { file: RegExp; edits: readonly [from: string, to: string][] }[] = [
  {
    // unenv 2.0.0-rc.25's Buffer (feross/buffer) knows no 'base64url', which Node has had
    // since 15 and JWT libraries use. Its base64 decoder already reads the URL alphabet.
    file: /\/unenv\/dist\/runtime\/node\/internal\/buffer\/buffer\.mjs$/,
    edits: [
      [
        '\t\tcase "base64":\n\t\tcase "ucs2":',
        '\t\tcase "base64":\n\t\tcase "base64url":\n\t\tcase "ucs2":',
      ],
      [
        'case "base64": return base64ToBytes(string).length;',
        'case "base64":\n\t\t\tcase "base64url": return base64ToBytes(string).length;',
      ],
      [
        'case "base64": return base64Slice(this, start, end);',
        'case "base64": return base64Slice(this, start, end);\n\t\t\tcase "base64url": return base64UrlSlice(this, start, end);',
      ],
      ['\t\t\tcase "base64":\n \n', '\t\t\tcase "base64":\n\t\t\tcase "base64url":\n'],
      [
        'function base64Slice(buf, start, end) {',
        'function base64UrlSlice(buf, start, end) {\n\treturn base64Slice(buf, start, end).replace(/[+/=]/g, (c) => c === "+" ? "-" : c === "/" ? "_" : "");\n}\nfunction base64Slice(buf, start, end) {',
      ],
      // Node's errors for reads and writes out of range (ERR_OUT_OF_RANGE, or
      // ERR_BUFFER_OUT_OF_BOUNDS when the buffer is shorter than the read).
      [
        'import * as base64 from "./base64.mjs";',
        `import * as base64 from "./base64.mjs";\nimport { ERR_BUFFER_OUT_OF_BOUNDS, ERR_OUT_OF_RANGE } from ${ERRORS};`,
      ],
      [
        'throw new RangeError("offset is not uint");',
        'throw ERR_OUT_OF_RANGE("offset", "an integer", offset);',
      ],
      [
        'throw new RangeError("Trying to access beyond buffer length");',
        'throw length < ext ? ERR_BUFFER_OUT_OF_BOUNDS() : ERR_OUT_OF_RANGE("offset", ">= 0 and <= " + (length - ext), offset);',
      ],
      [
        'throw new RangeError("\\"value\\" argument is out of bounds");',
        'throw ERR_OUT_OF_RANGE("value", ">= " + min + " and <= " + max, value);',
      ],
      [
        'throw ERR_OUT_OF_RANGE("value", ">= " + min + " and <= " + max, value);\n\t}\n\tif (offset + ext > buf.length) {\n\t\tthrow new RangeError("Index out of range");',
        'throw ERR_OUT_OF_RANGE("value", ">= " + min + " and <= " + max, value);\n\t}\n\tif (offset + ext > buf.length) {\n\t\tthrow buf.length < ext ? ERR_BUFFER_OUT_OF_BOUNDS() : ERR_OUT_OF_RANGE("offset", ">= 0 and <= " + (buf.length - ext), offset);',
      ],
    ],
  },
  {
    // unenv's events is Node's lib/events.js with its errors and argument checks stubbed.
    file: /\/unenv\/dist\/runtime\/node\/internal\/events\/events\.mjs$/,
    edits: [
      [
        'const inspect = (value, _opts) => value;',
        `import { inspectBrief as inspect, ERR_INVALID_ARG_TYPE, ERR_UNHANDLED_ERROR, ERR_INVALID_THIS, AbortError } from ${ERRORS};`,
      ],
      ['const ERR_INVALID_THIS = Error;\n', ''],
      ['const ERR_UNHANDLED_ERROR = Error;\n', ''],
      ['const ERR_INVALID_ARG_TYPE = Error;\n', ''],
      ['const AbortError = Error;\n', ''],
      [
        'function checkListener(listener) {\n\t\n}',
        'function checkListener(listener) {\n\tif (typeof listener !== "function") throw new ERR_INVALID_ARG_TYPE("listener", "Function", listener);\n}',
      ],
      // Node's static listenerCount returns the count (unenv's drops it for non-emitters).
      [
        '_EventEmitter.prototype.listenerCount.call(emitter, type);',
        'return _EventEmitter.prototype.listenerCount.call(emitter, type);',
      ],
    ],
  },
  {
    // Channels by name in a plain object: `channel('constructor')` found Object.
    file: /\/unenv\/dist\/runtime\/node\/internal\/diagnostics_channel\/channel\.mjs$/,
    edits: [['const channels = {};', 'const channels = { __proto__: null };']],
  },
  {
    // Its primordials read every property of globalThis.Atomics, which the prelude removes.
    file: /\/node-inspect-extracted\/dist\/inspect\.js$/,
    edits: [['["Atomics","JSON","Math","Proxy","Reflect"]', '["JSON","Math","Proxy","Reflect"]']],
  },
  {
    // Node 10's assert (the npm package) rethrows an error a RegExp does not match; Node 24
    // fails with an AssertionError saying so.
    file: /\/assert\/build\/assert\.js$/,
    edits: [
      [
        'if (isRegExp(expected)) return RegExpPrototypeTest(expected, actual);',
        `if (isRegExp(expected)) {
      if (RegExpPrototypeTest(expected, String(actual)) || arguments.length === 2) return RegExpPrototypeTest(expected, String(actual));
      var reErr = new AssertionError({ actual: actual, expected: expected, message: msg || 'The input did not match the regular expression ' + inspect(expected) + '. Input:\\n\\n' + inspect(String(actual)) + '\\n', operator: fn.name, stackStartFn: fn });
      reErr.generatedMessage = !msg;
      throw reErr;
    }`,
      ],
    ],
  },
];

function patched(source: string, edits: readonly [string, string][], file: string): string {
  let out = source;
  for (const [from, to] of edits) {
    const at = out.indexOf(from);
    if (at < 0 || out.indexOf(from, at + 1) >= 0) {
      throw new Error(`${file}: a patch no longer applies (${JSON.stringify(from.slice(0, 60))})`);
    }
    out = out.slice(0, at) + to + out.slice(at + from.length);
  }
  return out;
}

/** Applies PATCHES to the chunk builds' inputs. */
export function sourcePatches(): Plugin {
  return {
    name: 'node-source-patches',
    setup(b) {
      for (const { file, edits } of PATCHES) {
        b.onLoad({ filter: file }, async (args) => ({
          contents: patched(await readFile(args.path, 'utf8'), edits, args.path),
          loader: 'js',
        }));
      }
    },
  };
}
