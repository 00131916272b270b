/**
 * What `node-fetch`, `cross-fetch` and `isomorphic-fetch` (and their subpaths, such as
 * `cross-fetch/polyfill`) become: the platform's fetch in node-fetch@2's CommonJS shape
 * (`module.exports = fetch`, with `default`, `fetch`, `Headers`, `Request`, `Response`,
 * `FetchError` as properties), which the other two share, plus node-fetch@3's named
 * exports. A wrapper, so the global fetch is neither mutated nor captured: it is looked up
 * at each call. The errors the platform's fetch throws are TypeErrors and DOMExceptions;
 * the classes are there for code that names them (`instanceof`, `new FetchError`).
 */
export const FETCH_MODULE = `"use strict";
const fetch = function fetch(input, init) {
  return globalThis.fetch(input, init);
};
class FetchError extends Error {
  constructor(message, type, systemError) {
    super(message);
    this.type = type;
    if (systemError) {
      this.code = this.errno = systemError.code;
      this.erroredSysCall = systemError.syscall;
    }
  }
  get name() {
    return "FetchError";
  }
}
class AbortError extends Error {
  constructor(message, type = "aborted") {
    super(message);
    this.type = type;
  }
  get name() {
    return "AbortError";
  }
}
fetch.default = fetch;
fetch.fetch = fetch;
fetch.Headers = globalThis.Headers;
fetch.Request = globalThis.Request;
fetch.Response = globalThis.Response;
fetch.FetchError = FetchError;
fetch.AbortError = AbortError;
fetch.Blob = globalThis.Blob;
fetch.File = globalThis.File;
fetch.FormData = globalThis.FormData;
fetch.isRedirect = (code) => code === 301 || code === 302 || code === 303 || code === 307 || code === 308;
module.exports = fetch;
`;
