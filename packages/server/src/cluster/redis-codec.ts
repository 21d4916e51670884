import { decode, encode } from '@switchboard/sdk/protocol';
import { asBuffer } from '../buffers.js';
import type { BusLeaveReason, BusMessage, BusPeer, SequencedMessage } from './room-bus.js';

/** Stream fields of a message after `from` and `body`: targets (JSON), topic and type, when present. */
export function optionalFields(message: BusMessage): string[] {
  const fields: string[] = [];
  if (message.targets !== undefined) fields.push('t', JSON.stringify(message.targets));
  if (message.topic !== undefined) fields.push('p', message.topic);
  if (message.type !== undefined) fields.push('y', message.type);
  return fields;
}

/** A log entry (stream ID `<seq>-0` and its flat field list) as a message. */
export function parseEntry(id: Buffer, fields: readonly Buffer[]): SequencedMessage {
  let from = '';
  let body: Uint8Array = new Uint8Array(0);
  let at = 0;
  let targets: string[] | undefined;
  let topic: string | undefined;
  let type: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = (fields[i] as Buffer).toString('latin1');
    const value = fields[i + 1] as Buffer;
    if (name === 'f') from = value.toString();
    else if (name === 'b') body = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    else if (name === 'a') at = Number(value.toString());
    else if (name === 't') targets = JSON.parse(value.toString()) as string[];
    else if (name === 'p') topic = value.toString();
    else if (name === 'y') type = value.toString();
  }
  return { seq: seqOf(id), at, from, body, targets, topic, type };
}

/**
 * A log entry that marks lost messages instead of carrying one (see the SEED_SEQ script): the
 * highest number known lost, and the episode (the number of the loss's first marker).
 */
export function lossMarker(fields: readonly Buffer[]): { lostUpTo: number; episode: number } | undefined {
  if ((fields[0] as Buffer | undefined)?.toString('latin1') !== 'x') return undefined;
  return { lostUpTo: Number((fields[1] as Buffer).toString()), episode: Number((fields[3] as Buffer).toString()) };
}

/** The sequence number of a stream ID `<seq>-0`. */
export function seqOf(id: Buffer | string): number {
  const text = id.toString();
  return Number(text.slice(0, text.indexOf('-')));
}

/** A lossy message on the wire between nodes, with the node that sent it. */
export function encodeLossy(node: string, message: BusMessage): Buffer {
  return asBuffer(encode({ n: node, f: message.from, t: message.targets, p: message.topic, b: message.body }));
}

export function decodeLossy(frame: Buffer): { node: string; message: BusMessage } {
  const raw = decode(frame) as { n: string; f: string; t?: string[]; p?: string; b: Uint8Array };
  return { node: raw.n, message: { from: raw.f, targets: raw.t ?? undefined, topic: raw.p ?? undefined, body: raw.b } };
}

/** A membership event as the scripts publish it. */
export interface MembershipEvent {
  type: 'joined' | 'updated' | 'left';
  ver: number;
  reason?: BusLeaveReason;
  /** A kick's reason, for the peer. */
  message?: string;
  peer: BusPeer;
}

export function decodeMembershipEvent(text: string): MembershipEvent {
  return JSON.parse(text) as MembershipEvent;
}

/** A member's record as stored: JSON with keys in a fixed order, so equal records compare equal. */
export function encodePeer(peer: BusPeer): string {
  return JSON.stringify({
    id: peer.id,
    identity: peer.identity,
    name: peer.name,
    metadata: peer.metadata,
    grants: peer.grants,
    node: peer.node,
    joinedAt: peer.joinedAt,
    tracks: peer.tracks,
    resumeKeyHash: peer.resumeKeyHash,
    lastSenderSeq: peer.lastSenderSeq,
  });
}

export function decodePeer(text: string): BusPeer {
  return JSON.parse(text) as BusPeer;
}
