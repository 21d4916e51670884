import { SwitchboardError, targetList, type Grants, type OutgoingEnvelope } from '@switchboard/sdk/protocol';

/** What addressing needs of a room member, on this node or another. */
export interface Addressable {
  readonly id: string;
  readonly identity: string;
  readonly joinedAt: number;
  readonly grants: Grants;
}

/**
 * The peer IDs a message is for, or undefined for a broadcast: its `to` peers and the current
 * sessions of its `toIdentities`, resolved now (a user who rejoined is reached under the new
 * session's ID). Members are looked up on this node first, then in the cluster's view. Throws
 * `UNKNOWN_TARGET` for a peer or identity not in the room and `PERMISSION_DENIED` for one that
 * does not receive data: then nothing is sent.
 */
export function messageTargets(
  envelope: Pick<OutgoingEnvelope, 'to' | 'toIdentities'>,
  local: ReadonlyMap<string, Addressable>,
  cluster: ReadonlyMap<string, Addressable>,
): string[] | undefined {
  if (envelope.to === undefined && envelope.toIdentities === undefined) return undefined;
  const targets = new Set<string>();
  for (const id of targetList(envelope.to)) {
    const target = local.get(id) ?? cluster.get(id);
    if (!target) throw new SwitchboardError('UNKNOWN_TARGET', `peer ${id} is not in this room`);
    if (!target.grants.receiveData) throw new SwitchboardError('PERMISSION_DENIED', `peer ${id} does not receive data`);
    targets.add(id);
  }
  for (const identity of envelope.toIdentities ?? []) {
    const target = sessionOf(identity, local) ?? sessionOf(identity, cluster);
    if (!target) throw new SwitchboardError('UNKNOWN_TARGET', `nobody with identity "${identity}" is in this room`);
    if (!target.grants.receiveData) throw new SwitchboardError('PERMISSION_DENIED', `"${identity}" does not receive data`);
    targets.add(target.id);
  }
  return [...targets];
}

/**
 * How many peers a message from the server reaches: its targets, or for a broadcast this node's
 * receiving members that `admitsHere` (their topic filters are known only here) and every peer
 * of other nodes that receives data.
 */
export function addressedCount<Local extends Addressable>(
  envelope: Pick<OutgoingEnvelope, 'to' | 'toIdentities'>,
  local: ReadonlyMap<string, Local>,
  cluster: ReadonlyMap<string, Addressable>,
  admitsHere: (member: Local) => boolean,
): number {
  if (envelope.to !== undefined || envelope.toIdentities !== undefined) return messageTargets(envelope, local, cluster)?.length ?? 0;
  let count = 0;
  for (const peer of local.values()) if (admitsHere(peer)) count++;
  for (const peer of cluster.values()) if (!local.has(peer.id) && peer.grants.receiveData) count++;
  return count;
}

// An identity has one session per room, except for the moment a new session replaces the old
// one: the newer is the one that stays.
function sessionOf(identity: string, members: ReadonlyMap<string, Addressable>): Addressable | undefined {
  let found: Addressable | undefined;
  for (const member of members.values()) {
    if (member.identity === identity && (!found || member.joinedAt > found.joinedAt)) found = member;
  }
  return found;
}
