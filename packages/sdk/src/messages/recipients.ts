import { MessageError } from '../errors.js';
import type { UnsequencedEnvelope } from '../data-channel/outgoing.js';
import type { Recipients } from './message-types.js';

/** Sets the envelope's target fields from {@link Recipients}; throws {@link MessageError} `MALFORMED` for a shape it cannot be. */
export function address(envelope: UnsequencedEnvelope, to: Recipients): void {
  if (typeof to === 'string') {
    envelope.to = to;
    return;
  }
  if (Array.isArray(to)) {
    envelope.to = [...(to as readonly string[])];
    return;
  }
  if (typeof to !== 'object' || to === null) throw new MessageError('MALFORMED', 'to must be a peer ID, a list of peer IDs, or { identities, peers }');
  const { identities, peers } = to as { identities?: readonly string[]; peers?: readonly string[] };
  if (peers !== undefined && peers.length > 0) envelope.to = [...peers];
  if (identities !== undefined && identities.length > 0) envelope.toIdentities = [...identities];
  if (envelope.to === undefined && envelope.toIdentities === undefined) {
    throw new MessageError('MALFORMED', 'to names no peer and no identity; leave it out to broadcast');
  }
}
