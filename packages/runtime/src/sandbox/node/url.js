// node:url. unenv's url is Node's lib/url.js (the legacy parse, format and resolve, with
// fileURLToPath and pathToFileURL); URL and URLSearchParams are the platform's.
import url from 'unenv/node/url';

export default { ...url, URL: globalThis.URL, URLSearchParams: globalThis.URLSearchParams };
