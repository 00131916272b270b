// iconv-lite (Buffer underneath): legacy encodings to and from bytes.
const iconv = require('iconv-lite');

exports.handler = async (event) => {
  const encodings = ['win1252', 'latin1', 'shift_jis', 'gbk', 'koi8-r', 'utf16le', 'utf-16be'];
  const encoded = {};
  for (const enc of encodings) encoded[enc] = iconv.encode(event.text, enc).toString('base64');
  return {
    encoded,
    decoded: iconv.decode(Buffer.from(event.win1252, 'base64'), 'windows-1252'),
    exists: [iconv.encodingExists('cp1251'), iconv.encodingExists('nope')],
    bom: iconv.encode('hi', 'utf16', { addBOM: true }).toString('hex'),
    isBuffer: Buffer.isBuffer(iconv.encode('x', 'utf8')),
  };
};
