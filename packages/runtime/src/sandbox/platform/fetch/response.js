// biome-ignore-all lint/complexity/noArguments: WebIDL checks how many arguments were given, and the functions keep Node's `length`
// Response as undici (Node 24) has it. State lives in a private field; the Headers object
// over the response's header list is made when first asked for.
import {
  bodyAttribute,
  bodyUnusable,
  bodyUsed,
  bytesBody,
  cloneBody,
  extractBody,
  mixinBody,
} from './body.js';
import { convertHeadersInit, fillHeadersList, HeadersList, headersFromList } from './headers.js';
import { platformClass } from './platform.js';
import {
  argumentLengthCheck,
  byteString,
  checkDictionary,
  exception,
  illegalInvocation,
  isObject,
  unsignedShort,
  usvString,
  webidlClass,
} from './webidl.js';

const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;
export const NULL_BODY_STATUS = [101, 204, 205, 304];
const REDIRECT_STATUS = [301, 302, 303, 307, 308];
const empty = new Uint8Array(0);

/** reason-phrase = *( HTAB / SP / VCHAR / obs-text ) */
function isValidReasonPhrase(text) {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!(c === 0x09 || (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff))) return false;
  }
  return true;
}

const makeState = (guard) => ({
  type: 'default',
  status: 200,
  statusText: '',
  headersList: new HeadersList(),
  guard,
  headers: null,
  url: '',
  redirected: false,
  body: null,
});

/** WebIDL's ResponseInit, its members converted in lexicographic order. */
function convertResponseInit(init) {
  checkDictionary(init, 'Response constructor');
  const headers = init?.headers;
  return {
    headers:
      headers === undefined
        ? undefined
        : convertHeadersInit(headers, 'Response constructor', 'init.headers'),
    status: init?.status === undefined ? 200 : unsignedShort(init.status),
    statusText:
      init?.statusText === undefined
        ? ''
        : byteString(init.statusText, 'Response constructor', 'init.statusText'),
  };
}

const DEFAULT_INIT = { headers: undefined, status: 200, statusText: '' };

/** Fetch's "initialize a response". */
function initialize(state, init, extracted) {
  if (init.status < 200 || init.status > 599) {
    throw new RangeErrorCtor('init["status"] must be in the range of 200 to 599, inclusive.');
  }
  if (!isValidReasonPhrase(init.statusText)) throw new TypeErrorCtor('Invalid statusText');
  state.status = init.status;
  state.statusText = init.statusText;
  if (init.headers !== undefined) fillHeadersList(state.headersList, state.guard, init.headers);
  if (extracted !== null) {
    if (NULL_BODY_STATUS.includes(state.status)) {
      throw exception('Response constructor', `Invalid response status code ${state.status}`);
    }
    state.body = extracted.body;
    if (extracted.type !== null && !state.headersList.contains('content-type')) {
      state.headersList.append('content-type', extracted.type);
    }
  }
}

let stateOf;
let fromState;
const kConstruct = {};

export class Response {
  #state;

  static {
    stateOf = (r) => {
      if (!isObject(r) || !(#state in r)) throw illegalInvocation();
      return r.#state;
    };
    fromState = (state) => {
      const r = new Response(kConstruct);
      r.#state = state;
      return r;
    };
  }

  static error() {
    const state = makeState('immutable');
    state.type = 'error';
    state.status = 0;
    return fromState(state);
  }

  static json(data, init = undefined) {
    argumentLengthCheck(arguments.length, 1, 'Response.json');
    const converted = init == null ? DEFAULT_INIT : convertResponseInit(init);
    const text = JSON.stringify(data);
    if (text === undefined) throw new TypeErrorCtor('Value is not JSON serializable');
    const state = makeState('response');
    initialize(state, converted, { body: extractBody(text).body, type: 'application/json' });
    return fromState(state);
  }

  static redirect(url, status = 302) {
    argumentLengthCheck(arguments.length, 1, 'Response.redirect');
    const href = usvString(url);
    const code = unsignedShort(status);
    let parsed;
    try {
      parsed = new (platformClass('URL'))(href);
    } catch (err) {
      throw new TypeErrorCtor(`Failed to parse URL from ${href}`, { cause: err });
    }
    if (!REDIRECT_STATUS.includes(code)) throw new RangeErrorCtor(`Invalid status code ${code}`);
    const state = makeState('immutable');
    state.status = code;
    state.headersList.append('location', parsed.href);
    return fromState(state);
  }

  constructor(body = null, init = undefined) {
    if (body === kConstruct) return;
    const converted = init === undefined ? DEFAULT_INIT : convertResponseInit(init);
    const state = makeState('response');
    initialize(state, converted, body === null ? null : extractBody(body));
    this.#state = state;
  }

  get type() {
    return stateOf(this).type;
  }

  get url() {
    return stateOf(this).url;
  }

  get redirected() {
    return stateOf(this).redirected;
  }

  get status() {
    return stateOf(this).status;
  }

  get ok() {
    const status = stateOf(this).status;
    return status >= 200 && status <= 299;
  }

  get statusText() {
    return stateOf(this).statusText;
  }

  get headers() {
    const state = stateOf(this);
    state.headers ??= headersFromList(state.headersList, state.guard);
    return state.headers;
  }

  get body() {
    return bodyAttribute(stateOf(this).body);
  }

  get bodyUsed() {
    return bodyUsed(stateOf(this).body);
  }

  clone() {
    const state = stateOf(this);
    if (bodyUnusable(state.body)) {
      throw exception('Response.clone', 'Body has already been consumed.');
    }
    const copy = { ...state, headersList: HeadersList.copy(state.headersList), headers: null };
    copy.body = state.body === null ? null : cloneBody(state.body);
    return fromState(copy);
  }
}

mixinBody(Response, (r) => stateOf(r));
webidlClass(Response, 'Response', [
  'type',
  'url',
  'redirected',
  'status',
  'ok',
  'statusText',
  'headers',
  'body',
  'bodyUsed',
  'clone',
]);
for (const key of ['json', 'redirect', 'error']) {
  Object.defineProperty(Response, key, { enumerable: true });
}

/** The internal state of a Response ({ status, statusText, headersList, body, ... }). */
export const responseState = (response) => stateOf(response);

/**
 * The Response a fetch resolves with, from what the host sent back. As undici: no body for
 * HEAD, CONNECT and the null-body statuses; the URL without its fragment.
 */
export function responseFromFetch(data, method) {
  const state = makeState('immutable');
  state.type = 'basic';
  state.status = data.status;
  state.statusText = data.statusText;
  state.headersList = HeadersList.from(data.headers);
  const hash = data.url.indexOf('#');
  state.url = hash === -1 ? data.url : data.url.slice(0, hash);
  state.redirected = data.redirected === true;
  const noBody =
    method === 'HEAD' || method === 'CONNECT' || NULL_BODY_STATUS.includes(data.status);
  state.body = noBody ? null : bytesBody(data.body ?? empty);
  return fromState(state);
}
