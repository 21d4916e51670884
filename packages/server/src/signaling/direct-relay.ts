import { SwitchboardError, type ClientRequests } from '@switchboard/sdk/protocol';
import type { Peer } from '../rooms/peer.js';
import type { Room } from '../rooms/room.js';

/**
 * Relays one direct channel signal from `sender` to a peer of its room, stamped with the
 * sender's ID. Both tokens must grant `direct`: a peer that may not open direct channels must
 * not be made to answer offers either. A target waiting to resume misses the signal; the SDK's
 * direct channel then times out its negotiation and retries.
 */
export function relayDirectSignal(sender: Peer, room: Room, params: ClientRequests['directSignal']['params']): void {
  if (!sender.grants.direct) throw new SwitchboardError('PERMISSION_DENIED', 'direct channels need the direct grant');
  const target = params.to === sender.id ? undefined : room.peer(params.to);
  if (target === undefined) throw new SwitchboardError('UNKNOWN_TARGET', `peer ${params.to} is not in this room`);
  if (!target.grants.direct) throw new SwitchboardError('PERMISSION_DENIED', `peer ${params.to} may not open direct channels`);
  target.connection?.notify('directSignal', { from: sender.id, channelId: params.channelId, signal: params.signal });
}
