// The web platform of docs/functions.md, installed on the global object of every isolate
// before user code runs. Each module installs its globals, lazily where building them
// costs (see lazy.js): an idle isolate must stay small and a cold start fast.
import { install as installAbort } from './abort.js';
import { install as installBasics } from './basics.js';
import { install as installBlob } from './blob.js';
import { install as installCompression } from './compression.js';
import { install as installCrypto } from './crypto.js';
import { install as installDOMException } from './dom-exception.js';
import { install as installEncoding } from './encoding.js';
import { install as installEvents } from './events.js';
import { install as installFetch } from './fetch/index.js';
import { install as installFormData } from './form-data.js';
import { install as installNodeGlobals } from './node-globals.js';
import { install as installStreams } from './streams.js';
import { install as installTimers } from './timers.js';
import { install as installUrl } from './url.js';
import { install as installUrlPattern } from './url-pattern.js';

export function installPlatform(g, host) {
  installDOMException(g, host);
  installEvents(g, host);
  installAbort(g, host);
  installTimers(g, host);
  installBasics(g, host);
  installEncoding(g, host);
  installStreams(g, host);
  installBlob(g, host);
  installFormData(g, host);
  installUrl(g, host);
  installUrlPattern(g, host);
  installCrypto(g, host);
  installCompression(g, host);
  installFetch(g, host);
  installNodeGlobals(g, host);
}
