// Headers, Request, Response and fetch, and the two conversions the prelude uses to hand a
// fetch-style function its request and take its response back. The classes are evaluated
// on first use (see classes.js): an isolate that never touches them pays only for this.

import { loadChunk } from '../../prelude/chunks.js';
import { AbortController, AbortSignal } from '../abort.js';
import { utf8Decode, utf8Encode } from '../encoding.js';
import { defineGlobal, defineLazy } from '../lazy.js';
import { URL, URLSearchParams } from '../url.js';
import { setPlatform } from './platform.js';
import { standIn } from './stand-in.js';

let loaded;
/** The fetch classes, evaluated on first call. */
export function fetchClasses() {
  if (loaded === undefined) loaded = loadChunk('fetch');
  return loaded;
}

export const Headers = standIn(() => fetchClasses().Headers);
export const Request = standIn(() => fetchClasses().Request);
export const Response = standIn(() => fetchClasses().Response);

/**
 * A Request for what the host received: { method, url, headers: [[name, value]...],
 * body: Uint8Array | null }, taken as it is (the host built it from a real request).
 */
export function requestFromData(data) {
  return fetchClasses().requestFromData(data);
}

/**
 * A Response as plain data: { status, statusText, headers: [[name, value]...], body }, or
 * with `tooLarge: true` (and an empty body) past `maxBytes`. Returned as is, without a
 * promise, when the body is known without reading a stream (none, or made from a string,
 * bytes, Blob, FormData or URLSearchParams), else as a promise; a stream is read up to
 * maxBytes + 1 bytes and then cancelled. TypeError for a used body or a non-Response.
 */
export function responseToData(response, maxBytes) {
  return fetchClasses().responseToData(response, maxBytes);
}

export function install(g, host) {
  setPlatform({ utf8Encode, utf8Decode, URL, URLSearchParams, AbortController, AbortSignal });
  for (const name of ['Headers', 'Request', 'Response']) {
    defineLazy(g, name, () => fetchClasses()[name]);
  }
  // `host` stays in this closure. The chunk gets only a way to send one request: chunk
  // code is evaluated after user code ran, so what it is handed, user code may see.
  const sendOut = (outbound, signal) => host.start('fetch', [outbound], signal);
  defineGlobal(g, 'fetch', function fetch(input, init = undefined) {
    // biome-ignore lint/complexity/noArguments: fetch counts the arguments given, as Node's
    return fetchClasses().send(sendOut, arguments.length, input, init);
  });
}
