// Builds in a child process (see build-worker.ts): esbuild's service is a single process
// per Node process and dies for good on some inputs (200,000 nested blocks overflow its
// stack), so the server never shares one with an upload. A worker takes builds one at a
// time; after a failed one it exits, so a broken service never meets the next upload.
import { MiniLambdaError } from '@mini-lambda/core';
import { type BundleInput, type BundleOptions, bundleHere } from './bundle.ts';

interface Request {
  input: BundleInput;
  root: string;
  options: BundleOptions;
}

process.on('message', async ({ input, root, options }: Request) => {
  const upload: BundleInput =
    input.kind === 'archive' ? { ...input, zip: Buffer.from(input.zip) } : input;
  try {
    const result = await bundleHere(upload, root, options);
    process.send?.({ ok: true, result });
  } catch (err) {
    // bundleHere turns everything into a MiniLambdaError without our paths in it.
    const e =
      err instanceof MiniLambdaError
        ? err
        : new MiniLambdaError('InternalError', 'The bundler failed');
    process.send?.(
      { ok: false, error: { code: e.code, message: e.message, details: e.details } },
      () => process.exit(0),
    );
  }
});
// The parent going away closes the channel: nothing is left to build for.
process.on('disconnect', () => process.exit(0));
