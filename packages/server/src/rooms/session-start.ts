import type { ResumeRequest } from '@switchboard/sdk/protocol';
import type { VerifiedToken } from '../auth/token.js';
import type { ServerConfig } from '../config/server-config.js';
import { Peer } from './peer.js';

/**
 * A new session for a joining token. `startSeq` is the room sequence number it starts from:
 * what was numbered up to it reaches the peer as history (if the room keeps one), the rest from
 * the node's log.
 */
export function joiningPeer(token: VerifiedToken, subchannel: number, topics: readonly string[] | null, startSeq: number, config: ServerConfig): Peer {
  const peer = new Peer({
    identity: token.identity,
    name: token.name,
    metadata: token.metadata,
    grants: token.grants,
    subchannel,
    rate: { messagesPerSecond: config.messagesPerSecond, burst: config.messageBurst },
  });
  peer.replayFrom = startSeq;
  peer.joinedAtSeq = startSeq;
  peer.topics = topics === null ? null : new Set(topics);
  return peer;
}

/** Where the replay of a resuming session starts, given the room's newest number `lastSeq`. */
export function resumePoint(peer: Peer, request: ResumeRequest, lastSeq: number): number {
  // The peer has everything up to where its join (or last resume) started, even if it reports
  // less: a peer that received nothing since reports 0, and the log need not reach back that far.
  const reported = Math.max(request.lastReceivedSeq, peer.replayFrom);
  // After an overflow the client's last number may lie beyond a message it never got. Nor may
  // the replay reach back before the join: what precedes it is history, sent once or not at all.
  return Math.max(peer.joinedAtSeq, Math.min(peer.overflowed ? peer.liveSince : reported, reported, lastSeq));
}
