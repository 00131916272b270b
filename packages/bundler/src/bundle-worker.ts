// One build in a child process of its own (see run-bundle.ts): esbuild's service is a
// single process per Node process and dies for good on some inputs (200,000 nested
// blocks overflow its stack), so the server must never share one with an upload.
import { MiniLambdaError } from '@mini-lambda/core';
import { type BundleInput, type BundleOptions, bundleHere } from './bundle.ts';

interface Request {
  input: BundleInput;
  root: string;
  options: BundleOptions;
}

process.once('message', async ({ input, root, options }: Request) => {
  const upload: BundleInput =
    input.kind === 'archive' ? { ...input, zip: Buffer.from(input.zip) } : input;
  try {
    const result = await bundleHere(upload, root, options);
    process.send?.({ ok: true, result }, () => process.exit(0));
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
