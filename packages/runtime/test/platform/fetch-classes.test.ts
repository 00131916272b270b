import { afterAll, describe, it } from 'vitest';
import { REQUEST_CASES, RESPONSE_CASES } from './fetch-classes.cases.ts';
import { HEADERS_CASES } from './headers.cases.ts';
import { createOracle } from './oracle.ts';

// Each case runs in an isolate and in Node 24 (undici's Headers/Request/Response): equal results.
const oracle = createOracle();
afterAll(() => oracle.dispose());

for (const [title, cases] of [
  ['Headers', HEADERS_CASES],
  ['Response', RESPONSE_CASES],
  ['Request', REQUEST_CASES],
] as const) {
  describe(title, () => {
    for (const [name, body] of Object.entries(cases)) it(name, () => oracle.same(body));
  });
}
