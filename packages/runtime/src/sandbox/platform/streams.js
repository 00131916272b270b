// Web streams from web-streams-polyfill (the WHATWG reference implementation, passing the
// web-platform tests): a chunk loaded on first use (see prelude-source.ts), so an isolate
// that never touches a stream pays for no stream class.
import { loadChunk } from '../prelude/chunks.js';
import { standIn } from './fetch/stand-in.js';
import { defineLazy } from './lazy.js';

let loaded;

/** The polyfill's namespace (ReadableStream, WritableStream, ...), evaluated on first call. */
export function streams() {
  if (loaded === undefined) loaded = loadChunk('streams');
  return loaded;
}

const NAMES = [
  'ReadableStream',
  'ReadableStreamDefaultReader',
  'ReadableStreamBYOBReader',
  'ReadableStreamBYOBRequest',
  'ReadableStreamDefaultController',
  'ReadableByteStreamController',
  'WritableStream',
  'WritableStreamDefaultWriter',
  'WritableStreamDefaultController',
  'TransformStream',
  'TransformStreamDefaultController',
  'ByteLengthQueuingStrategy',
  'CountQueuingStrategy',
];

export const ReadableStream = standIn(() => streams().ReadableStream);
export const WritableStream = standIn(() => streams().WritableStream);
export const TransformStream = standIn(() => streams().TransformStream);
export const ByteLengthQueuingStrategy = standIn(() => streams().ByteLengthQueuingStrategy);
export const CountQueuingStrategy = standIn(() => streams().CountQueuingStrategy);

/** Whether `value` is a ReadableStream of ours (loads the polyfill only for objects). */
export function isReadableStream(value) {
  return typeof value === 'object' && value !== null && value instanceof streams().ReadableStream;
}

/**
 * Whether a stream was read from or cancelled. The polyfill keeps the spec's [[disturbed]]
 * slot as `_disturbed`; there is no public way to read it.
 */
export function isDisturbed(stream) {
  return stream._disturbed === true;
}

export function install(g, _host) {
  for (const name of NAMES) defineLazy(g, name, () => streams()[name]);
}
