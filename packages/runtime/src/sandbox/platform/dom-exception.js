// DOMException as Node 24 has it: an Error (Error.isError, a stack) whose name, message and
// code are getters on the prototype; the legacy code constants on both the class and its
// prototype.
import { codedError, ready, webIDLOnUse } from './idl.js';
import { defineLazy } from './lazy.js';

const ErrorCtor = Error;
const TypeErrorCtor = TypeError;
const { defineProperty, setPrototypeOf } = Object;
const construct = Reflect.construct;
const captureStackTrace = Error.captureStackTrace;
const toStr = String;

/**
 * Stamps private fields onto an object made elsewhere (the Error the constructor returns):
 * a base class returning that object makes it `this` of the derived constructor. Private
 * fields are both the state and the brand check, and user code cannot reach or forge them.
 */
class Stamp {
  constructor(target) {
    // biome-ignore lint/correctness/noConstructorReturn: the technique this class exists for
    return target;
  }
}

class Internals extends Stamp {
  #name;
  #message;
  constructor(target, name, message) {
    super(target);
    this.#name = name;
    this.#message = message;
  }
  static is(o) {
    return typeof o === 'object' && o !== null && #name in o;
  }
  static nameOf(o) {
    return o.#name;
  }
  static messageOf(o) {
    return o.#message;
  }
}

// Names and legacy codes, in code order (WebIDL's error names table).
const NAMES = [
  ['IndexSizeError', 'INDEX_SIZE_ERR'],
  ['DOMStringSizeError', 'DOMSTRING_SIZE_ERR'],
  ['HierarchyRequestError', 'HIERARCHY_REQUEST_ERR'],
  ['WrongDocumentError', 'WRONG_DOCUMENT_ERR'],
  ['InvalidCharacterError', 'INVALID_CHARACTER_ERR'],
  ['NoDataAllowedError', 'NO_DATA_ALLOWED_ERR'],
  ['NoModificationAllowedError', 'NO_MODIFICATION_ALLOWED_ERR'],
  ['NotFoundError', 'NOT_FOUND_ERR'],
  ['NotSupportedError', 'NOT_SUPPORTED_ERR'],
  ['InUseAttributeError', 'INUSE_ATTRIBUTE_ERR'],
  ['InvalidStateError', 'INVALID_STATE_ERR'],
  ['SyntaxError', 'SYNTAX_ERR'],
  ['InvalidModificationError', 'INVALID_MODIFICATION_ERR'],
  ['NamespaceError', 'NAMESPACE_ERR'],
  ['InvalidAccessError', 'INVALID_ACCESS_ERR'],
  ['ValidationError', 'VALIDATION_ERR'],
  ['TypeMismatchError', 'TYPE_MISMATCH_ERR'],
  ['SecurityError', 'SECURITY_ERR'],
  ['NetworkError', 'NETWORK_ERR'],
  ['AbortError', 'ABORT_ERR'],
  ['URLMismatchError', 'URL_MISMATCH_ERR'],
  ['QuotaExceededError', 'QUOTA_EXCEEDED_ERR'],
  ['TimeoutError', 'TIMEOUT_ERR'],
  ['InvalidNodeTypeError', 'INVALID_NODE_TYPE_ERR'],
  ['DataCloneError', 'DATA_CLONE_ERR'],
];
// Names removed from the table keep code 0 (https://github.com/whatwg/webidl/pull/946).
const DISUSED = {
  __proto__: null,
  DOMStringSizeError: 1,
  NoDataAllowedError: 1,
  ValidationError: 1,
};
const CODES = { __proto__: null };
for (let i = 0; i < NAMES.length; i++) {
  if (!(NAMES[i][0] in DISUSED)) CODES[NAMES[i][0]] = i + 1;
}

// Node's wording for this class ("of DOMException", not "of type DOMException").
const notDOMException = () =>
  codedError(TypeErrorCtor, 'ERR_INVALID_THIS', 'Value of "this" must be of DOMException');

export class DOMException {
  constructor(message = '', options = 'Error') {
    ready(new.target);
    const text = toStr(message);
    // An object with [[ErrorData]] (so it is an Error to V8 and has a stack) whose
    // prototype is this class's, or a subclass's. V8 writes the stack's first line from a
    // `message` data property only: one is there while the stack is captured.
    const self = construct(ErrorCtor, [text], new.target);
    let name;
    if (options !== null && typeof options === 'object') {
      name = toStr(options.name);
      if ('cause' in options) {
        defineProperty(self, 'cause', {
          value: options.cause,
          writable: true,
          configurable: true,
          enumerable: false,
        });
      }
    } else {
      name = toStr(options);
    }
    new Internals(self, name, text);
    // The stack starts at the caller: the frame of this constructor says nothing.
    captureStackTrace(self, new.target);
    delete self.message;
    // biome-ignore lint/correctness/noConstructorReturn: an Error object is what the spec asks for
    return self;
  }

  get name() {
    if (!Internals.is(this)) throw notDOMException();
    return Internals.nameOf(this);
  }

  get message() {
    if (!Internals.is(this)) throw notDOMException();
    return Internals.messageOf(this);
  }

  get code() {
    if (!Internals.is(this)) throw notDOMException();
    return CODES[Internals.nameOf(this)] ?? 0;
  }
}

setPrototypeOf(DOMException.prototype, ErrorCtor.prototype);
webIDLOnUse(DOMException, 'DOMException', ['name', 'message', 'code'], () => {
  for (let i = 0; i < NAMES.length; i++) {
    const d = { value: i + 1, enumerable: true, writable: false, configurable: false };
    defineProperty(DOMException, NAMES[i][1], d);
    defineProperty(DOMException.prototype, NAMES[i][1], d);
  }
});

/** Whether `value` is a DOMException made by the constructor (no user code runs). */
export function isDOMException(value) {
  return Internals.is(value);
}

/**
 * The name and message of a DOMException without running user code (a subclass may
 * override the getters), for reports of what a function threw; undefined for anything else.
 */
export function domExceptionInfo(value) {
  if (!Internals.is(value)) return undefined;
  return { name: Internals.nameOf(value), message: Internals.messageOf(value) };
}

export function install(g, host) {
  defineLazy(g, 'DOMException', () => ready(DOMException));
  host.registerDOMException(DOMException);
}
