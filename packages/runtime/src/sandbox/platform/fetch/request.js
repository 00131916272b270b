// biome-ignore-all lint/complexity/noArguments: WebIDL checks how many arguments were given, and the functions keep Node's `length`
// Request as undici (Node 24) has it. Its AbortSignal and Headers object are made when
// first asked for: a request handed to a function usually needs neither.
import {
  bodyAttribute,
  bodyUnusable,
  bodyUsed,
  bytesBody,
  cloneBody,
  extractBody,
  mixinBody,
  transferBody,
} from './body.js';
import { fillHeadersList, HeadersList, headersFromList } from './headers.js';
import { platformClass } from './platform.js';
import { convertRequestInit, normaliseMethod } from './request-init.js';
import {
  argumentLengthCheck,
  exception,
  illegalInvocation,
  isObject,
  usvString,
  webidlClass,
} from './webidl.js';

const TypeErrorCtor = TypeError;
function parseUrl(input) {
  try {
    return new (platformClass('URL'))(input);
  } catch (err) {
    throw new TypeErrorCtor(`Failed to parse URL from ${input}`, { cause: err });
  }
}

const makeState = (url) => ({
  method: 'GET',
  url,
  headersList: new HeadersList(),
  guard: 'request',
  headers: null,
  body: null,
  mode: 'cors',
  credentials: 'same-origin',
  cache: 'default',
  redirect: 'follow',
  integrity: '',
  keepalive: false,
  referrer: 'client',
  referrerPolicy: '',
  // the AbortSignal this request's signal follows, and its signal once made
  parentSignal: null,
  signal: null,
});

/** The request's AbortSignal, made on first use, following its parent signal. */
export function requestSignal(state) {
  if (state.signal === null) {
    const controller = new (platformClass('AbortController'))();
    const parent = state.parentSignal;
    state.signal = controller.signal;
    if (parent !== null) {
      if (parent.aborted) controller.abort(parent.reason);
      else parent.addEventListener('abort', () => controller.abort(parent.reason), { once: true });
    }
  }
  return state.signal;
}

/** What a derived request's signal follows: the signal if made, else what it would follow. */
const signalSource = (state) => state.signal ?? state.parentSignal;

let stateOf;
let fromState;
const kConstruct = {};

export class Request {
  #state;

  static {
    stateOf = (r) => {
      if (!isObject(r) || !(#state in r)) throw illegalInvocation();
      return r.#state;
    };
    fromState = (state) => {
      const r = new Request(kConstruct);
      r.#state = state;
      return r;
    };
  }

  constructor(input, init = undefined) {
    if (input === kConstruct) return;
    argumentLengthCheck(arguments.length, 1, 'Request constructor');
    const inputState = isObject(input) && #state in input ? input.#state : null;
    const url = inputState === null ? usvString(input) : null;
    const options = convertRequestInit(init);
    let state;
    let fallbackMode = null;
    if (inputState === null) {
      const parsed = parseUrl(url);
      if (parsed.username || parsed.password) {
        throw new TypeErrorCtor(
          `Request cannot be constructed from a URL that includes credentials: ${url}`,
        );
      }
      state = makeState(parsed.href);
      state.mode = 'no-cors';
      fallbackMode = 'cors';
    } else {
      state = {
        ...inputState,
        headersList: HeadersList.copy(inputState.headersList),
        headers: null,
        body: null,
        parentSignal: signalSource(inputState),
        signal: null,
      };
    }
    if (options.window != null) throw new TypeErrorCtor("'window' option 'client' must be null");
    // undici's init always has a member (priority's default), so these always reset
    state.referrer = 'client';
    state.referrerPolicy = '';
    if (state.mode === 'navigate') state.mode = 'same-origin';
    if (options.referrer !== undefined) {
      if (options.referrer === '') state.referrer = 'no-referrer';
      else {
        let parsed;
        try {
          parsed = new (platformClass('URL'))(options.referrer);
        } catch (err) {
          throw new TypeErrorCtor(`Referrer "${options.referrer}" is not a valid URL.`, {
            cause: err,
          });
        }
        const client = parsed.protocol === 'about:' && parsed.hostname === 'client';
        state.referrer = client ? 'client' : parsed.href;
      }
    }
    if (options.referrerPolicy !== undefined) state.referrerPolicy = options.referrerPolicy;
    const mode = options.mode !== undefined ? options.mode : fallbackMode;
    if (mode === 'navigate')
      throw exception('Request constructor', 'invalid request mode navigate.');
    if (mode != null) state.mode = mode;
    if (options.credentials !== undefined) state.credentials = options.credentials;
    if (options.cache !== undefined) state.cache = options.cache;
    if (state.cache === 'only-if-cached' && state.mode !== 'same-origin') {
      throw new TypeErrorCtor("'only-if-cached' can be set only with 'same-origin' mode");
    }
    if (options.redirect !== undefined) state.redirect = options.redirect;
    if (options.integrity != null) state.integrity = String(options.integrity);
    if (options.keepalive !== undefined) state.keepalive = options.keepalive;
    if (options.method !== undefined) state.method = normaliseMethod(options.method);
    if (options.signal !== undefined) state.parentSignal = options.signal;
    state.guard = 'request';
    if (mode === 'no-cors') {
      if (!['GET', 'HEAD', 'POST'].includes(state.method)) {
        throw new TypeErrorCtor(`'${state.method} is unsupported in no-cors mode.`);
      }
      state.guard = 'request-no-cors';
    }
    if (options.headers !== undefined) {
      state.headersList = new HeadersList();
      fillHeadersList(state.headersList, state.guard, options.headers);
    }
    const inputBody = inputState === null ? null : inputState.body;
    if (
      (options.body != null || inputBody !== null) &&
      (state.method === 'GET' || state.method === 'HEAD')
    ) {
      throw new TypeErrorCtor('Request with GET/HEAD method cannot have body.');
    }
    let initBody = null;
    if (options.body != null) {
      const extracted = extractBody(options.body, state.keepalive);
      initBody = extracted.body;
      if (extracted.type !== null && !state.headersList.contains('content-type')) {
        state.headersList.append('content-type', extracted.type);
      }
    }
    const body = initBody ?? inputBody;
    if (body !== null && body.source === null) {
      if (initBody !== null && options.duplex == null) {
        throw new TypeErrorCtor('RequestInit: duplex option is required when sending a body.');
      }
      if (state.mode !== 'same-origin' && state.mode !== 'cors') {
        throw new TypeErrorCtor(
          'If request is made from ReadableStream, mode should be "same-origin" or "cors"',
        );
      }
    }
    if (initBody === null && inputBody !== null) {
      if (bodyUnusable(inputBody)) {
        throw new TypeErrorCtor(
          'Cannot construct a Request with a Request object that has already been used.',
        );
      }
      state.body = transferBody(inputBody);
    } else {
      state.body = body;
    }
    this.#state = state;
  }

  get method() {
    return stateOf(this).method;
  }

  get url() {
    return stateOf(this).url;
  }

  get headers() {
    const state = stateOf(this);
    state.headers ??= headersFromList(state.headersList, state.guard);
    return state.headers;
  }

  get destination() {
    stateOf(this);
    return '';
  }

  get referrer() {
    const referrer = stateOf(this).referrer;
    if (referrer === 'no-referrer') return '';
    if (referrer === 'client') return 'about:client';
    return referrer;
  }

  get referrerPolicy() {
    return stateOf(this).referrerPolicy;
  }

  get mode() {
    return stateOf(this).mode;
  }

  get credentials() {
    return stateOf(this).credentials;
  }

  get cache() {
    return stateOf(this).cache;
  }

  get redirect() {
    return stateOf(this).redirect;
  }

  get integrity() {
    return stateOf(this).integrity;
  }

  get keepalive() {
    return stateOf(this).keepalive;
  }

  get isReloadNavigation() {
    stateOf(this);
    return false;
  }

  get isHistoryNavigation() {
    stateOf(this);
    return false;
  }

  get signal() {
    return requestSignal(stateOf(this));
  }

  get body() {
    return bodyAttribute(stateOf(this).body);
  }

  get bodyUsed() {
    return bodyUsed(stateOf(this).body);
  }

  get duplex() {
    stateOf(this);
    return 'half';
  }

  clone() {
    const state = stateOf(this);
    if (bodyUnusable(state.body)) throw new TypeErrorCtor('unusable');
    return fromState({
      ...state,
      headersList: HeadersList.copy(state.headersList),
      headers: null,
      body: state.body === null ? null : cloneBody(state.body),
      parentSignal: signalSource(state),
      signal: null,
    });
  }
}

mixinBody(Request, (r) => stateOf(r));
webidlClass(Request, 'Request', [
  'method',
  'url',
  'headers',
  'destination',
  'referrer',
  'referrerPolicy',
  'mode',
  'credentials',
  'cache',
  'redirect',
  'integrity',
  'keepalive',
  'isReloadNavigation',
  'isHistoryNavigation',
  'signal',
  'body',
  'bodyUsed',
  'duplex',
  'clone',
]);

/** The internal state of a Request (method, url, headersList, body, redirect, ...). */
export const requestState = (request) => stateOf(request);

/**
 * A Request for what the host received: { method, url, headers: [[name, value]...], body }.
 * The host built these from a real HTTP request, so they are taken as they are.
 */
export function requestFromData(data) {
  const state = makeState(data.url);
  state.method = data.method;
  state.headersList = HeadersList.from(data.headers);
  const bodyless = data.method === 'GET' || data.method === 'HEAD';
  state.body = data.body === null || bodyless ? null : bytesBody(data.body);
  return fromState(state);
}
