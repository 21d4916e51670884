import { applyGrantChange, grantNames, GRANT_NAMES, type GrantChange, type Grants, type NotificationName, type ServerNotifications } from '@switchboard/sdk/protocol';
import type { WebhookEvent } from '../webhooks/webhook-event.js';
import type { Peer } from './peer.js';

/** What a change of a peer's grants acts on, in its room on this node. */
export interface GrantUpdateHooks {
  /** Its data deliveries start or stop (receiveData). */
  dataGrantsChanged(peer: Peer): void;
  /** Its tracks (publish) or subscriptions (subscribe) end when revoked. */
  mediaGrantsChanged(peer: Peer): void;
  /** Its cluster record follows, so other nodes see the new grants. */
  recordChanged(peer: Peer): void;
  /** Tells this node's other peers (other nodes tell theirs from the record). */
  tell<N extends NotificationName>(method: N, data: ServerNotifications[N], except: Peer): void;
  webhook(event: WebhookEvent): void;
}

/**
 * Changes the grants of a peer of this node, effective at once: `sendData` and `admin` are
 * checked on every message and request, the rest is enforced here through `hooks`. The peer
 * gets `grantsChanged` (or, if it is reconnecting, the new grants in its resume), the room
 * `peerGrantsChanged`. A change that changes nothing tells nobody. Returns the new grants.
 */
export function updateGrants(room: string, peer: Peer, change: GrantChange, by: string, hooks: GrantUpdateHooks): Grants {
  const previous = peer.grants;
  const grants = applyGrantChange(previous, change);
  if (GRANT_NAMES.every((name) => grants[name] === previous[name])) return grants;
  peer.grants = grants;
  hooks.mediaGrantsChanged(peer);
  hooks.dataGrantsChanged(peer);
  hooks.recordChanged(peer);
  peer.connection?.notify('grantsChanged', { grants, previous });
  hooks.tell('peerGrantsChanged', { peerId: peer.id, grants }, peer);
  hooks.webhook({
    type: 'peer.grantsChanged',
    room,
    peerId: peer.id,
    identity: peer.identity,
    grants: grantNames(grants),
    previous: grantNames(previous),
    by,
  });
  return grants;
}
