// The global fetch. The request goes out through the host (the sandbox process hands it to
// the server, which applies the egress policy); nothing here opens a connection.
import { exactBytes, readStream, takeBytes } from './body.js';
import { Request, requestSignal, requestState } from './request.js';
import { responseFromFetch } from './response.js';
import { argumentLengthCheck } from './webidl.js';

const TypeErrorCtor = TypeError;
/** A request body read from a stream is held whole before it is sent: at most what the host takes. */
export const MAX_REQUEST_BODY = 10 * 1024 * 1024;

/**
 * The global fetch: `argc` arguments were given. Sends through `sendOut(request, signal)`,
 * which can send a request and nothing else: the host stays in the caller's closure.
 */
export async function send(sendOut, argc, input, init) {
  argumentLengthCheck(argc, 1, 'globalThis.fetch');
  const request = new Request(input, init);
  const state = requestState(request);
  const signal = requestSignal(state);
  if (signal.aborted) throw signal.reason;
  let body = null;
  if (state.body !== null) {
    body = takeBytes(state.body);
    if (body === undefined) {
      const read = await readStream(state.body.stream, MAX_REQUEST_BODY);
      if (read.tooLarge) {
        throw new TypeErrorCtor(`A request body may be at most ${MAX_REQUEST_BODY} bytes`);
      }
      body = read.bytes;
    }
    body = exactBytes(body);
  }
  const headers = state.headersList.sortAndCombine().map((pair) => [pair[0], pair[1]]);
  const outbound = {
    method: state.method,
    url: state.url,
    headers,
    body,
    redirect: state.redirect,
  };
  const data = await sendOut(outbound, signal);
  return responseFromFetch(data, state.method);
}
