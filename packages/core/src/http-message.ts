/**
 * HTTP messages as plain data, for the boundaries they cross as values: an HTTP trigger
 * handing a request to a fetch-style function and taking its response back, and a
 * function's outbound `fetch` going out through the instance. Header names are lower
 * case; a name may repeat (set-cookie). Bodies are bytes, already bounded by whoever
 * read them.
 */
export type HeaderList = [name: string, value: string][];

/** A request to a fetch-style function, or one a function sends out. */
export interface HttpRequestData {
  method: string;
  /** Absolute URL. */
  url: string;
  headers: HeaderList;
  body: Uint8Array | null;
}

/** A fetch-style function's response, or an outbound request's. */
export interface HttpResponseData {
  status: number;
  statusText: string;
  headers: HeaderList;
  body: Uint8Array;
}

/** An outbound request from a function: the request plus fetch's redirect mode. */
export interface OutboundRequest extends HttpRequestData {
  redirect: 'follow' | 'manual' | 'error';
}

/** An outbound response: where it ended up after redirects. */
export interface OutboundResponse extends HttpResponseData {
  url: string;
  redirected: boolean;
}

/** A fetch-style function called by an HTTP trigger: the request it gets as a `Request`. */
export interface HttpInvocation {
  kind: 'http';
  request: HttpRequestData;
}

/** What an invocation is given: the event as raw JSON ('' = null), or an HTTP request. */
export type InvocationInput = string | HttpInvocation;
