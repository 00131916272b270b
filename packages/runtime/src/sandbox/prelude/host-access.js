// The bridge's host object (call, start, setTimer, …) for built-in modules that run on the
// sandbox's Node (crypto, zlib). Chunks import this module from the prelude (it is shared,
// see prelude-source.ts); user code cannot reach it, and a chunk must not hand `host()`
// or its methods out: every host operation checks its arguments again on the host side.
let connected;

/** install() connects the bridge before any user code runs. */
export function connectHost(host) {
  connected = host;
}

/** The bridge's host object: `host().call(op, ...args)`, `host().start(op, args, signal)`. */
export function host() {
  return connected;
}
