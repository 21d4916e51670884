import type { UnsequencedEnvelope } from '../data-channel/outgoing.js';
import { decode, encode, EnvelopeKind, readStreamFrame, streamFrameWire, type ReceivedEnvelope, type StreamFrame } from '../protocol/index.js';
import { E2EEError } from './e2ee-error.js';
import type { EncryptionKey, KeyProvider } from './key-provider.js';
import { associatedData, openPayload, SEAL_OVERHEAD, sealPayload } from './payload-cipher.js';

/** An envelope's encrypted payload: a stand-in of its exact size at once, the bytes later. */
export interface SealedData {
  /** Zeros where the ciphertext goes: the same size, for the checks made before sending. */
  placeholder: Uint8Array;
  sealed: Promise<Uint8Array>;
}

/** Encrypts an envelope's payload; undefined when the envelope carries nothing to hide. */
export type EnvelopeSealer = (envelope: UnsequencedEnvelope) => SealedData | undefined;

// One piece of a payload to encrypt, with the clear fields it is bound to.
interface Piece {
  plain: Uint8Array;
  aad: Uint8Array;
}

/**
 * End-to-end encryption of a room's data: what the server must read to route and check a
 * message stays in clear (the envelope header; a stream frame's ID, operation, index and
 * counts), everything else is sealed with AES-GCM under the sender's key from the
 * {@link KeyProvider}: a message's or RPC's payload whole, a stream's chunk bytes, and its
 * announced size, name and MIME type. Each piece is bound to the clear fields that give it
 * meaning (kind and type; stream ID and chunk index), so the server cannot swap them.
 */
export class DataEncryption {
  /** This peer's identity, whose key it encrypts with; set on joining. */
  identity = '';

  constructor(readonly keys: KeyProvider) {}

  /** See {@link EnvelopeSealer}. Throws {@link E2EEError} `E2EE_NO_KEY` when there is no key to use. */
  readonly seal: EnvelopeSealer = (envelope) => {
    const key = this.keys.encryptionKey(this.identity);
    if (key === undefined) throw new E2EEError('E2EE_NO_KEY', 'end-to-end encryption is on and the key provider has no key to encrypt with');
    if (envelope.kind !== EnvelopeKind.stream) {
      const piece = { plain: envelope.data, aad: associatedData(envelope.kind, envelope.type) };
      return {
        placeholder: encode(new Uint8Array(piece.plain.byteLength + SEAL_OVERHEAD)),
        sealed: sealPieces([piece], key).then(([bytes]) => encode(bytes)),
      };
    }
    const frame = readStreamFrame(decode(envelope.data));
    const pieces = streamPieces(frame, envelope.type);
    // The server counts a stream's bytes as they travel: an end counts the sealed chunks.
    if (frame.op === 'end') return clear({ ...frame, size: frame.size + frame.chunks * SEAL_OVERHEAD });
    if (pieces === undefined) return undefined;
    const build = (sealed: Uint8Array[]): Uint8Array => encode(streamFrameWire(sealedFrame(frame, sealed)));
    return {
      placeholder: build(pieces.map((piece) => new Uint8Array(piece.plain.byteLength + SEAL_OVERHEAD))),
      sealed: sealPieces(pieces, key).then(build),
    };
  };

  /**
   * Decrypts a delivered envelope from a sender of `identity` (empty when unknown: only the
   * shared key may open it). Rejects with `OpenFailure` (an {@link E2EEError}).
   */
  async open(envelope: ReceivedEnvelope, identity: string): Promise<ReceivedEnvelope> {
    if (envelope.kind !== EnvelopeKind.stream) {
      const plain = await openPayload(envelope.data, this.keys, identity, associatedData(envelope.kind, envelope.type));
      return { ...envelope, data: decode(plain) };
    }
    let frame: StreamFrame;
    try {
      frame = readStreamFrame(envelope.data);
    } catch {
      // The stream code drops what it cannot read, as it does without encryption.
      return envelope;
    }
    switch (frame.op) {
      case 'chunk': {
        const bytes = await openPayload(frame.bytes, this.keys, identity, chunkData(envelope.type, frame));
        return { ...envelope, data: streamFrameWire({ ...frame, bytes }) };
      }
      case 'end':
        return { ...envelope, data: streamFrameWire({ ...frame, size: frame.size - frame.chunks * SEAL_OVERHEAD }) };
      case 'open': {
        if (frame.sealed === undefined) return envelope;
        const meta = decode(await openPayload(frame.sealed, this.keys, identity, openData(envelope.type, frame.id))) as Pick<StreamFrame & { op: 'open' }, 'size' | 'name' | 'mime'>;
        const opened: StreamFrame = { op: 'open', id: frame.id };
        if (meta.size !== undefined) opened.size = meta.size;
        if (meta.name !== undefined) opened.name = meta.name;
        if (meta.mime !== undefined) opened.mime = meta.mime;
        return { ...envelope, data: streamFrameWire(opened) };
      }
      default:
        return envelope;
    }
  }
}

// An envelope whose payload changes without encryption, handed over as already sealed.
function clear(frame: StreamFrame): SealedData {
  const data = encode(streamFrameWire(frame));
  return { placeholder: data, sealed: Promise.resolve(data) };
}

// What of a stream frame is sealed: a chunk's bytes; an open's size, name and MIME type.
function streamPieces(frame: StreamFrame, type: string): Piece[] | undefined {
  if (frame.op === 'chunk') return [{ plain: frame.bytes, aad: chunkData(type, frame) }];
  if (frame.op !== 'open' || (frame.size === undefined && frame.name === undefined && frame.mime === undefined)) return undefined;
  const meta: Record<string, unknown> = {};
  if (frame.size !== undefined) meta['size'] = frame.size;
  if (frame.name !== undefined) meta['name'] = frame.name;
  if (frame.mime !== undefined) meta['mime'] = frame.mime;
  return [{ plain: encode(meta), aad: openData(type, frame.id) }];
}

function sealedFrame(frame: StreamFrame, sealed: Uint8Array[]): StreamFrame {
  if (frame.op === 'chunk') return { ...frame, bytes: sealed[0]! };
  return { op: 'open', id: frame.id, sealed: sealed[0]! };
}

function chunkData(type: string, frame: { id: number; index: number }): Uint8Array {
  return associatedData(EnvelopeKind.stream, type, frame.id, frame.index);
}

function openData(type: string, id: number): Uint8Array {
  return associatedData(EnvelopeKind.stream, type, id, 'open');
}

function sealPieces(pieces: Piece[], key: EncryptionKey): Promise<Uint8Array[]> {
  return Promise.all(pieces.map((piece) => sealPayload(piece.plain, key, piece.aad)));
}
