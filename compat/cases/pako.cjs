// pako (CommonJS): deflate/gzip output compared byte for byte with Node, and inflate of data
// compressed by Node's zlib (in the event).
const pako = require('pako');

const b64 = (bytes) => Buffer.from(bytes).toString('base64');
const utf8 = (bytes) => new TextDecoder().decode(bytes);

exports.handler = async (event) => {
  const text = event.text.repeat(20);
  const input = new TextEncoder().encode(text);
  const deflated = pako.deflate(input, { level: 9 });
  const gzipped = pako.gzip(input);
  const inflator = new pako.Inflate();
  inflator.push(Buffer.from(event.zlibDeflated, 'base64'), true);
  let corrupt;
  try {
    pako.inflate(Uint8Array.of(1, 2, 3, 4));
  } catch (err) {
    corrupt = String(err);
  }
  return {
    deflated: b64(deflated),
    gzipped: b64(gzipped),
    ratio: Math.round((deflated.length / input.length) * 1000) / 1000,
    roundTrip: utf8(pako.inflate(deflated)) === text,
    ungzipped: pako.ungzip(gzipped).length,
    fromNode: utf8(inflator.result),
    fromNodeGzip: utf8(pako.ungzip(Buffer.from(event.zlibGzipped, 'base64'))),
    corrupt,
  };
};
