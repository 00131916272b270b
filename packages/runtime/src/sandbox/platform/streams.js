// Web streams from web-streams-polyfill (the WHATWG reference implementation, passing the
// web-platform tests), evaluated on first use only: `require` makes esbuild wrap the
// package in a function that runs when first called, so an isolate that never touches a
// stream pays for no stream class (its prelude evaluates in every isolate).
import { standIn } from './fetch/stand-in.js';
import { defineLazy } from './lazy.js';

let loaded;

/** The polyfill's namespace (ReadableStream, WritableStream, ...), evaluated on first call. */
export function streams() {
  // a require() is what esbuild bundles as a function evaluated on first call
  if (loaded === undefined) loaded = require('web-streams-polyfill');
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
