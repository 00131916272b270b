import { afterAll, describe, it } from 'vitest';
import { BLOB_CASES } from './blob-form-data.cases.ts';
import { createOracle } from './oracle.ts';

// Each case runs in an isolate and in Node 24 (its Blob and File): equal results.
const oracle = createOracle();
afterAll(() => oracle.dispose());

describe('Blob and File', () => {
  for (const [name, body] of Object.entries(BLOB_CASES)) it(name, () => oracle.same(body));
});
