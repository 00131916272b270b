// Lambda code as it is written against Node itself (CommonJS): crypto, zlib, Buffer, stream,
// events, util, path, url, querystring, string_decoder, assert, timers/promises, AsyncLocalStorage.
// biome-ignore-all lint/style/useNodejsImportProtocol: bare names on purpose, as older Lambda code has them (the other cases use node:).
const crypto = require('crypto');
const zlib = require('zlib');
const { promisify, format, inspect, types } = require('util');
const { Readable, Transform, pipeline } = require('stream');
const { EventEmitter, once } = require('events');
const path = require('path');
const { URL, fileURLToPath } = require('url');
const querystring = require('querystring');
const { StringDecoder } = require('string_decoder');
const assert = require('assert');
const { setTimeout: sleep } = require('timers/promises');
const { AsyncLocalStorage } = require('async_hooks');

const gzip = promisify(zlib.gzip);
const storage = new AsyncLocalStorage();

exports.handler = async (event) => {
  const body = Buffer.from(event.text, 'utf8');
  const hmac = crypto.createHmac('sha256', event.secret).update(body).digest('hex');
  const key = crypto.scryptSync('password', 'salt', 32);
  const iv = Buffer.alloc(12, 1);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(body), cipher.final()]);
  const tag = cipher.getAuthTag();
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv).setAuthTag(tag);
  const opened = Buffer.concat([decipher.update(sealed), decipher.final()]).toString();

  const upper = new Transform({
    transform(chunk, _enc, cb) {
      cb(null, chunk.toString().toUpperCase());
    },
  });
  const streamed = await new Promise((resolve, reject) => {
    const out = [];
    pipeline(
      Readable.from(['a', 'b', 'c']),
      upper,
      async (source) => {
        for await (const chunk of source) out.push(chunk.toString());
      },
      (err) => (err ? reject(err) : resolve(out.join(''))),
    );
  });

  const emitter = new EventEmitter();
  setTimeout(() => emitter.emit('ready', 42), 5);
  const [ready] = await once(emitter, 'ready');

  const decoder = new StringDecoder('utf8');
  const euro = Buffer.from('€');
  const decoded =
    decoder.write(euro.subarray(0, 1)) + decoder.write(euro.subarray(1)) + decoder.end();

  const tracked = await storage.run({ id: 'req-1' }, async () => {
    await sleep(5);
    await Promise.resolve();
    return storage.getStore()?.id;
  });
  let assertion;
  try {
    assert.deepStrictEqual({ a: 1 }, { a: 2 });
  } catch (err) {
    assertion = { name: err.name, code: err.code };
  }
  const gzipped = await gzip(body);
  return {
    hmac,
    sha256: crypto.createHash('sha256').update('abc').digest('base64'),
    sealed: sealed.toString('base64'),
    tag: tag.toString('hex'),
    opened,
    equal: crypto.timingSafeEqual(Buffer.from('ab'), Buffer.from('ab')),
    uuidShape: /^[0-9a-f-]{36}$/.test(crypto.randomUUID()),
    gunzipped: zlib.gunzipSync(gzipped).toString(),
    deflatedHex: zlib.deflateRawSync(body).toString('hex'),
    base64url: body.toString('base64url'),
    readUInt: Buffer.from([1, 2, 3, 4]).readUInt32BE(0),
    streamed,
    ready,
    decoded,
    tracked,
    assertion,
    formatted: format('%s has %d items: %j', 'cart', 3, { a: [1] }),
    inspected: inspect({ nested: { deep: { deeper: { deepest: 1 } } }, list: [1, 2] }),
    isPromise: types.isPromise(Promise.resolve()),
    joined: path.join('/var/task', '../opt', 'layer', 'index.js'),
    parsedPath: path.parse('/tmp/file.tar.gz'),
    url: new URL('../b?x=1#h', 'https://example.com/a/c').href,
    filePath: fileURLToPath('file:///var/task/index.js'),
    query: querystring.stringify({ a: [1, 2], b: 'x y' }),
  };
};
