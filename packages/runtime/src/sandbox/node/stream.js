// node:stream. readable-stream 4 (the Node streams team's copy of lib/stream, Node 18's),
// with Node's CJS shape: module.exports is the legacy Stream constructor with Readable,
// Writable, Duplex, Transform, PassThrough, pipeline, finished and promises on it. unenv's
// stream is a stub. The conversions to and from web streams readable-stream leaves out are
// internal/web-adapters.js, over the platform's web streams.
import { Buffer } from 'node:buffer';
import Stream from 'readable-stream/lib/stream.js';
import { installWebAdapters } from './internal/web-adapters.js';

installWebAdapters(Stream.Readable, Stream.Writable, Buffer);

export default Stream;
