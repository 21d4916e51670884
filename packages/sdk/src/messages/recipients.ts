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
  const { identities, peers } = to as { identities?: unknown; peers?: unknown };
  const peerIds = listed(peers, 'peers');
  const identityNames = listed(identities, 'identities');
  if (peerIds.length > 0) envelope.to = peerIds;
  if (identityNames.length > 0) envelope.toIdentities = identityNames;
  if (envelope.to === undefined && envelope.toIdentities === undefined) {
    throw new MessageError('MALFORMED', 'to names no peer and no identity; leave it out to broadcast');
  }
}

function listed(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  // A string would otherwise spread into one target per character.
  if (!Array.isArray(value)) throw new MessageError('MALFORMED', `to.${field} must be a list`);
  return [...(value as string[])];
}
