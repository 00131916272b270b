// xml2js (CommonJS; events, timers.setImmediate and sax's stream/string_decoder underneath):
// callback and promise parsing, attributes, and building XML back.
const xml2js = require('xml2js');

exports.handler = async (event) => {
  const viaCallback = await new Promise((resolve, reject) =>
    xml2js.parseString(event.xml, { explicitArray: false }, (err, result) =>
      err ? reject(err) : resolve(result),
    ),
  );
  // async: true parses in chunks scheduled with setImmediate.
  const parser = new xml2js.Parser({ async: true, chunkSize: 16, mergeAttrs: true });
  const viaPromise = await parser.parseStringPromise(event.xml);
  let error;
  try {
    await xml2js.parseStringPromise('<a><b></a>');
  } catch (err) {
    error = err.message.split('\n')[0];
  }
  const built = new xml2js.Builder({ rootName: 'order', headless: true }).buildObject({
    $: { id: 7 },
    item: [{ _: 'tea', $: { qty: 2 } }, 'cake & more'],
  });
  return { viaCallback, viaPromise, error, built };
};
