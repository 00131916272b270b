// Everything of Blob, File, FormData, Headers, Request, Response and fetch, in one module
// that the entry modules (../blob.js, ../form-data.js, index.js) load on first use.
import { bodyUnusable, exactBytes, readStream, takeBytes, unusableError } from './body.js';
import { responseState } from './response.js';

export { Blob, File } from './blob-class.js';
export { send } from './fetch.js';
export { FormData } from './form-data-class.js';
export { Headers } from './headers.js';
export { Request, requestFromData } from './request.js';
export { Response } from './response.js';

const empty = new Uint8Array(0);

/** See index.js. */
export function responseToData(response, maxBytes) {
  const state = responseState(response);
  const head = (body) => ({
    status: state.status,
    statusText: state.statusText,
    headers: state.headersList.sortAndCombine().map((pair) => [pair[0], pair[1]]),
    body,
  });
  const tooLarge = () => ({ ...head(empty), tooLarge: true });
  const body = state.body;
  if (body === null) return head(empty);
  if (bodyUnusable(body)) throw unusableError();
  const bytes = takeBytes(body);
  if (bytes !== undefined) return bytes.length > maxBytes ? tooLarge() : head(exactBytes(bytes));
  return readStream(body.stream, maxBytes).then((read) =>
    read.tooLarge ? tooLarge() : head(read.bytes),
  );
}
