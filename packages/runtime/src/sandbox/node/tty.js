// node:tty: functions have no terminal. isatty is false; the stream classes exist for
// libraries that test `instanceof tty.WriteStream` but cannot be opened.
import { ERR_METHOD_NOT_IMPLEMENTED } from './internal/errors.js';

class ReadStream {
  constructor() {
    throw ERR_METHOD_NOT_IMPLEMENTED('tty.ReadStream()');
  }
}
class WriteStream {
  constructor() {
    throw ERR_METHOD_NOT_IMPLEMENTED('tty.WriteStream()');
  }
}

export default { isatty: () => false, ReadStream, WriteStream };
