export { classifyAddress } from './address-class.ts';
export type { ListenAddress } from './address-policy.ts';
export {
  createOutboundClient,
  DEFAULT_MAX_RESPONSE_BYTES,
  type OutboundCall,
  type OutboundClient,
  type OutboundClientOptions,
  type OutboundObserver,
  type OutboundOutcome,
} from './client.ts';
export type { Lookup } from './connector.ts';
export { type EgressAllowEntry, egressAllowSchema, parseEgressAllow } from './egress-allow.ts';
export { EgressRefusedError, OutboundLimitError, type RefusalReason } from './errors.ts';
