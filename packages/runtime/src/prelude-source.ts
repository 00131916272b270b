import { readFileSync } from 'node:fs';

/** The in-isolate prelude (sandbox/prelude.js), kept as a real file so it is linted and readable. */
export const PRELUDE_SOURCE = readFileSync(
  new URL('./sandbox/prelude.js', import.meta.url),
  'utf8',
);
