// node:assert. The npm `assert` package (2.1.0, browserify's): Node's lib/assert.js with its
// AssertionError, messages and codes, and Node's deep comparison (unenv's compares with
// JSON.stringify). Its `util/` is our node:util. util.isDeepStrictEqual borrows the
// comparison through a symbol (util cannot import assert: assert imports util).
import assert from 'assert/build/assert.js';
import { isDeepStrictEqual } from 'assert/build/internal/util/comparisons.js';

Object.defineProperty(assert, Symbol.for('mini-lambda.isDeepStrictEqual'), {
  value: isDeepStrictEqual,
});

export default assert;
