// One build in a child process of its own (see run-bundle.ts): esbuild's service is a
// single process per Node process and dies for good on some inputs (200,000 nested
// blocks overflow its stack), so the server must never share one with an upload.
import { MiniLambdaError } from '@mini-lambda/core';
import { type BundleInput, type BundleOptions, bundleHere } from './bundle.ts';

process.once('message', async (message: { input: BundleInput; options: BundleOptions }) => {
  const input: BundleInput =
    message.input.kind === 'archive'
      ? { ...message.input, zip: Buffer.from(message.input.zip) }
      : message.input;
  try {
    const result = await bundleHere(input, message.options);
    process.send?.({ ok: true, result }, () => process.exit(0));
  } catch (err) {
    const error =
      err instanceof MiniLambdaError
        ? { code: err.code, message: err.message, details: err.details }
        : {
            code: 'InternalError',
            message: err instanceof Error ? err.message : String(err),
            details: {},
          };
    process.send?.({ ok: false, error }, () => process.exit(0));
  }
});
