// node:string_decoder. The npm string_decoder (Node's lib/string_decoder.js as a package,
// what readable-stream uses); unenv's stubs it. The deep path is the package itself: the
// bare name would be this built-in.
import stringDecoder from 'string_decoder/lib/string_decoder.js';

// Node's end() leaves the decoder ready for new input; the package's keeps a partial
// character's state.
const { StringDecoder } = stringDecoder;
const end = StringDecoder.prototype.end;
StringDecoder.prototype.end = function (buf) {
  const out = end.call(this, buf);
  this.lastNeed = 0;
  this.lastTotal = 0;
  return out;
};

export default stringDecoder;
