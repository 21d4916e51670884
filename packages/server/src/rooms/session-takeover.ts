import { createHash, timingSafeEqual } from 'node:crypto';
import { SwitchboardError, type ResumeRequest } from '@switchboard/sdk/protocol';
import { resumeKeyHash } from '../cluster/cluster-membership.js';
import type { BusPeer } from '../cluster/room-bus.js';
import type { ServerConfig } from '../config.js';
import { Peer } from './peer.js';

/** Whether two secrets are equal, in constant time whatever their lengths. */
export function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * The local peer for a session another node registered on the bus (its node died and the
 * client resumes here): same ID, resume key and join time, and the sender sequence number
 * already accepted from it, so the messages it sends again are taken exactly once. Throws
 * `RESUME_FAILED` if the key does not match the record's hash.
 */
export function takeOverSession(record: BusPeer, request: ResumeRequest, lastSent: number, subchannel: number, config: ServerConfig): Peer {
  if (!sameSecret(resumeKeyHash(request.resumeKey), record.resumeKeyHash)) throw new SwitchboardError('RESUME_FAILED', 'wrong resume key');
  const peer = new Peer({
    identity: record.identity,
    name: record.name,
    metadata: record.metadata,
    grants: record.grants,
    subchannel,
    rate: { messagesPerSecond: config.messagesPerSecond, burst: config.messageBurst },
    session: { id: record.id, resumeKey: request.resumeKey, joinedAt: record.joinedAt },
  });
  peer.lastAcceptedSeq = Math.max(record.lastSenderSeq, lastSent);
  return peer;
}
