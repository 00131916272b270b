import { cryptoAsyncOps, cryptoSyncOps } from './crypto.ts';
import { nodeCryptoAsyncOps, nodeCryptoSyncOps } from './node-crypto.ts';
import { nodeZlibAsyncOps, nodeZlibSyncOps } from './node-zlib.ts';
import type { HostOps } from './types.ts';
import { urlOps } from './url.ts';
import { zlibAsyncOps, zlibSyncOps } from './zlib.ts';

export * from './types.ts';

/** Every host operation the platform may call, by name. */
export const HOST_OPS: HostOps = {
  sync: { ...urlOps, ...cryptoSyncOps, ...zlibSyncOps, ...nodeCryptoSyncOps, ...nodeZlibSyncOps },
  async: { ...cryptoAsyncOps, ...zlibAsyncOps, ...nodeCryptoAsyncOps, ...nodeZlibAsyncOps },
};
