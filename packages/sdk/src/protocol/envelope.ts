import { decode, encode } from './codec.js';
import { ProtocolError } from './error-codes.js';
import { readDelivered } from './delivered-reader.js';
import { MAX_NAME_LENGTH } from './names.js';
import { checkOneValue } from './value-bounds.js';

export { MAX_NAME_LENGTH };

/** What a data envelope carries. */
export const EnvelopeKind = {
  /** An application message. */
  message: 0,
  /** An RPC call; `id` names it, `type` is the method. */
  rpcRequest: 1,
  /** The answer to the RPC call `id`. */
  rpcResponse: 2,
  /** A frame of a stream: `data` is a {@link StreamFrame} (protocol/stream.ts). */
  stream: 3,
} as const;
/** One of {@link EnvelopeKind}'s values. */
export type EnvelopeKind = (typeof EnvelopeKind)[keyof typeof EnvelopeKind];

/** Most peers one message may name in `to`. */
export const MAX_TARGETS = 256;

/**
 * A data message as a client sends it. The payload `data` stays opaque MessagePack bytes, so the
 * server decodes only these few header fields and forwards the payload untouched.
 */
export interface OutgoingEnvelope {
  kind: EnvelopeKind;
  /** Per-sender, per-channel sequence number, from 1. */
  seq: number;
  /** Message type (or RPC method). */
  type: string;
  /** Target peer IDs; absent (and no `toIdentities`) = broadcast to the room. */
  to?: string | string[];
  /**
   * Target identities, resolved by the server to their current sessions when it accepts the
   * message; with `to`, the message goes to both lists' peers.
   */
  toIdentities?: string[];
  /** Topic; receivers may filter broadcasts by topic. */
  topic?: string;
  /** RPC call ID. */
  callId?: number;
  /**
   * The sender awaits this message's receipt: the server acknowledges it at the end of the turn
   * that read it. Other reliable messages are acknowledged lazily (see the server's ack batcher),
   * so that acks do not compete with deliveries; a server that does not know the flag acks
   * every message promptly, and one that does treats a sender that never sets it as lazy.
   */
  receipt?: true;
  /** MessagePack-encoded payload: exactly one value (the server refuses anything else as `MALFORMED`). */
  data: Uint8Array;
}

/** A data message as the server delivers it. */
export interface DeliveredEnvelope {
  kind: EnvelopeKind;
  /** Room sequence number of a reliable message (0 on the lossy channel). */
  seq: number;
  /** Sender's peer ID, stamped by the server. */
  from: string;
  /** Server time (ms since epoch) when the server forwarded it. */
  serverTime: number;
  type: string;
  topic?: string;
  /** True when the message was addressed to chosen peers rather than broadcast. */
  targeted: boolean;
  /** True when it is from the room's history, sent to a joining peer before live traffic. */
  history?: boolean;
  callId?: number;
  /**
   * The payload's MessagePack bytes (the sender's, untouched). On the wire they are the value of
   * the envelope's data field itself, not binary wrapping it, so a receiver decodes header and
   * payload in one pass (protocol version 3).
   */
  data: Uint8Array;
}

/** A delivered envelope as a receiver reads it: the header and the payload, decoded together. */
export type ReceivedEnvelope = Omit<DeliveredEnvelope, 'data'> & { data: unknown };

// Short keys on the wire: the header of every message is repeated in every delivery.
interface OutgoingWire {
  k: number;
  s: number;
  t: string;
  to?: string | string[];
  ti?: string[];
  tp?: string;
  c?: number;
  r?: true;
  d: Uint8Array;
}

interface DeliveredWire {
  k: number;
  s: number;
  f: string;
  ts: number;
  t: string;
  tp?: string;
  p?: true;
  h?: true;
  c?: number;
  // Not in what `encodeDelivered` packs: the payload bytes are appended after the header.
  d?: unknown;
}

/** Encodes a client's envelope. */
export function encodeOutgoing(envelope: OutgoingEnvelope): Uint8Array {
  const wire: OutgoingWire = { k: envelope.kind, s: envelope.seq, t: envelope.type, d: envelope.data };
  if (envelope.to !== undefined) wire.to = envelope.to;
  if (envelope.toIdentities !== undefined) wire.ti = envelope.toIdentities;
  if (envelope.topic !== undefined) wire.tp = envelope.topic;
  if (envelope.callId !== undefined) wire.c = envelope.callId;
  if (envelope.receipt === true) wire.r = true;
  return encode(wire);
}

/** Decodes and validates a client's envelope; throws {@link ProtocolError} `MALFORMED`. */
export function decodeOutgoing(bytes: Uint8Array): OutgoingEnvelope {
  const wire = decode(bytes) as Partial<OutgoingWire> | null;
  if (typeof wire !== 'object' || wire === null) malformed('envelope is not a map');
  const seq = wire.s;
  if (!Number.isSafeInteger(seq) || (seq as number) < 0) malformed('seq must be a non-negative integer');
  try {
    return decodeNumbered(wire, seq as number);
  } catch (error) {
    if (error instanceof ProtocolError) throw new NumberedEnvelopeError(seq as number, error.message);
    throw error;
  }
}

/**
 * An outgoing envelope refused after its sender's number was read: the refusal names that
 * number, so the sender can tell which message it was (a refusal under 0 names none).
 */
export class NumberedEnvelopeError extends ProtocolError {
  constructor(
    readonly seq: number,
    message: string,
  ) {
    super('MALFORMED', message);
  }
}

function decodeNumbered(wire: Partial<OutgoingWire>, seq: number): OutgoingEnvelope {
  const kind = checkKind(wire.k);
  const type = checkName(wire.t, 'type');
  if (!(wire.d instanceof Uint8Array)) malformed('data must be binary');
  checkOneValue(wire.d);
  const envelope: OutgoingEnvelope = { kind, seq, type, data: wire.d };
  if (wire.to !== undefined) envelope.to = checkTargets(wire.to);
  if (wire.ti !== undefined) envelope.toIdentities = checkIdentities(wire.ti);
  if (targetList(envelope.to).length + (envelope.toIdentities?.length ?? 0) > MAX_TARGETS) {
    malformed(`a message goes to at most ${MAX_TARGETS} peers and identities`);
  }
  if (wire.tp !== undefined) envelope.topic = checkName(wire.tp, 'topic');
  if (wire.c !== undefined) envelope.callId = checkCallId(wire.c);
  if (wire.r === true) envelope.receipt = true;
  if ((kind === EnvelopeKind.rpcRequest || kind === EnvelopeKind.rpcResponse) && envelope.callId === undefined) malformed('RPC envelopes need a call id');
  return envelope;
}

/**
 * Encodes an envelope for delivery to receivers: its header, then the payload bytes as they are
 * (checked to be one MessagePack value when the sender's envelope was decoded) as the value of
 * the last field, `d`. Nothing follows the payload, so no payload can pass for header fields.
 */
export function encodeDelivered(envelope: DeliveredEnvelope): Uint8Array {
  const wire: DeliveredWire = {
    k: envelope.kind,
    s: envelope.seq,
    f: envelope.from,
    ts: envelope.serverTime,
    t: envelope.type,
  };
  if (envelope.topic !== undefined) wire.tp = envelope.topic;
  if (envelope.targeted) wire.p = true;
  if (envelope.history) wire.h = true;
  if (envelope.callId !== undefined) wire.c = envelope.callId;
  return withPayload(encode(wire), envelope.data);
}

/**
 * Decodes a delivered envelope, payload included, in one pass; throws {@link ProtocolError}
 * `MALFORMED`. `start` and `end` bound it inside a larger frame (a batch).
 */
export function decodeDelivered(bytes: Uint8Array, start = 0, end = bytes.length): ReceivedEnvelope {
  return readDelivered(bytes, start, end) ?? decodeDeliveredWire(bytes.subarray(start, end));
}

// The generic decode, for envelopes in any other form than the one `encodeDelivered` writes.
function decodeDeliveredWire(bytes: Uint8Array): ReceivedEnvelope {
  const wire = decode(bytes) as Partial<DeliveredWire> | null;
  if (typeof wire !== 'object' || wire === null) malformed('envelope is not a map');
  if (typeof wire.f !== 'string' || typeof wire.ts !== 'number' || !Number.isSafeInteger(wire.s)) {
    malformed('delivered envelope lacks from, serverTime or seq');
  }
  if (!('d' in wire)) malformed('delivered envelope lacks data');
  const envelope: ReceivedEnvelope = {
    kind: checkKind(wire.k),
    seq: wire.s as number,
    from: wire.f,
    serverTime: wire.ts,
    type: checkName(wire.t, 'type'),
    targeted: wire.p === true,
    data: wire.d,
  };
  if (wire.tp !== undefined) envelope.topic = checkName(wire.tp, 'topic');
  if (wire.h === true) envelope.history = true;
  if (wire.c !== undefined) envelope.callId = checkCallId(wire.c);
  return envelope;
}

// The header packs as a fixmap (up to 15 fields, sized to fit); the payload becomes one more
// entry, key `d`, appended as raw MessagePack rather than packed again.
function withPayload(header: Uint8Array, payload: Uint8Array): Uint8Array {
  const fields = header[0]! - 0x80;
  if (fields < 0 || fields >= 15) throw new RangeError('a delivered envelope header must stay below 15 fields');
  const bytes = new Uint8Array(header.length + 2 + payload.length);
  bytes.set(header);
  bytes[0] = 0x80 + fields + 1;
  bytes[header.length] = 0xa1; // fixstr of one byte: "d"
  bytes[header.length + 1] = 0x64;
  bytes.set(payload, header.length + 2);
  return bytes;
}

/** The list of target IDs of an envelope (empty for a broadcast). */
export function targetList(to: string | string[] | undefined): string[] {
  if (to === undefined) return [];
  return typeof to === 'string' ? [to] : to;
}

function checkKind(value: unknown): EnvelopeKind {
  if (value !== 0 && value !== 1 && value !== 2 && value !== 3) malformed(`unknown envelope kind ${String(value)}`);
  return value;
}

function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NAME_LENGTH) {
    malformed(`${what} must be a string of 1 to ${MAX_NAME_LENGTH} characters`);
  }
  return value;
}

function checkTargets(value: unknown): string | string[] {
  if (typeof value === 'string' && value.length > 0) return value;
  if (
    Array.isArray(value) &&
    value.length > 0 &&
    value.length <= MAX_TARGETS &&
    value.every((id) => typeof id === 'string' && id.length > 0)
  ) {
    return value as string[];
  }
  return malformed(`to must be a peer ID or a list of 1 to ${MAX_TARGETS} peer IDs`);
}

function checkIdentities(value: unknown): string[] {
  if (Array.isArray(value) && value.length > 0 && value.length <= MAX_TARGETS && value.every((id) => typeof id === 'string' && id.length > 0)) {
    return value as string[];
  }
  return malformed(`toIdentities must be a list of 1 to ${MAX_TARGETS} identities`);
}

function checkCallId(value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) malformed('call id must be a non-negative integer');
  return value as number;
}

function malformed(message: string): never {
  throw new ProtocolError('MALFORMED', message);
}
