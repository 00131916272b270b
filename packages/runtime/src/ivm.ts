import './node-flags.ts';
import ivm from 'isolated-vm';

/** isolated-vm, loaded only after the `--no-node-snapshot` check. */
export default ivm;
export type { Context, ExternalCopy, Isolate, Module, Reference } from 'isolated-vm';
