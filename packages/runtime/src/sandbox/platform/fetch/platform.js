// What the fetch classes take from sibling platform modules. index.js hands these over at
// install instead of the classes importing them: a module imported by lazily evaluated
// code is itself wrapped and evaluated at run time (esbuild's rule), which would move
// those modules' top-level code out of the prelude's code cache.

/**
 * URL, URLSearchParams, AbortController and AbortSignal. Until installed, the globals
 * (Node's, when tests load these modules directly).
 */
const classes = { __proto__: null };

/**
 * UTF-8 encode and decode (encoding.js's): a decode keeps a BOM and replaces bad bytes.
 * Until installed, the global TextEncoder and TextDecoder (Node, when tests load these
 * modules directly).
 */
export const utf8 = {
  encode: (s) => new TextEncoder().encode(s),
  decode: (b) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(b),
};

export function setPlatform(platform) {
  utf8.encode = platform.utf8Encode;
  utf8.decode = platform.utf8Decode;
  for (const name of ['URL', 'URLSearchParams', 'AbortController', 'AbortSignal']) {
    classes[name] = platform[name];
  }
}

/** One of the platform classes above. */
export const platformClass = (name) => classes[name] ?? globalThis[name];
