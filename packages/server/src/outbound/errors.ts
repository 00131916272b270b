/** Why a request was refused by the egress policy: a small fixed set, a metrics label. */
export type RefusalReason =
  | 'egress_none'
  | 'host_not_listed'
  | 'scheme'
  | 'port'
  | 'own_address'
  | 'non_public_address';

/**
 * A request the egress policy refused before sending anything. A TypeError, as fetch
 * rejects with, whose message starts `egress refused:` and says why.
 */
export class EgressRefusedError extends TypeError {
  readonly reason: RefusalReason;
  constructor(reason: RefusalReason, detail: string) {
    super(`egress refused: ${detail}`);
    this.reason = reason;
  }
}

/** A per-invocation or per-response bound was reached (subrequests, redirects, body size). */
export class OutboundLimitError extends TypeError {}
