import type { ReliableSend } from '../data-channel/reliable-sender.js';
import type { UnsequencedEnvelope } from '../data-channel/outgoing.js';
import { MessageError } from '../errors.js';
import {
  readStreamFrame,
  encodeOutgoing,
  encodeStreamFrame,
  EnvelopeKind,
  STREAM_CHUNK_OVERHEAD,
  SwitchboardError,
  targetList,
  type ReceivedEnvelope,
  type StreamFrame,
  type StreamLimits,
} from '../protocol/index.js';
import { IncomingStream, type IncomingStreamInfo } from './incoming-stream.js';
import { StreamHandle } from './outgoing-stream.js';
import { StreamError } from './stream-error.js';
import { StreamPacer } from './stream-pacer.js';
import { prepareSource, type StreamSource } from './stream-source.js';

/** How to send a stream. */
export interface SendStreamOptions {
  /** A peer ID or a list of 1 to 256 of them; absent streams to every other peer in the room. */
  to?: string | readonly string[];
  /** Topic; peers that filter topics get a broadcast stream only if they listen to it. */
  topic?: string;
  /** File name for the receivers (default: a `File`'s name). */
  name?: string;
  /** MIME type for the receivers (default: a `Blob`'s type). */
  mime?: string;
  /** Total bytes, for sources that do not know it (iterables, ReadableStreams); then enforced. */
  size?: number;
}

/** What the streams of a room need from it. */
export interface StreamHost {
  /** Sends on the reliable channel; throws MessageError when it may not. */
  send(envelope: UnsequencedEnvelope): ReliableSend;
  maxMessageSize(): number;
  limits(): StreamLimits | undefined;
  inRoom(peerId: string): boolean;
  /** A stream from a peer opened. */
  opened(stream: IncomingStream): void;
}

// A chunk never fills more than this, even where the server allows larger messages: smaller
// chunks keep other messages from waiting long behind a stream.
const MAX_CHUNK_BYTES = 64 * 1024;
/**
 * After `peerLeft`, how long a stream from that peer may still complete. The notification comes
 * over the WebSocket and may overtake the stream's last chunks on the data channel; the server's
 * own `cancel` (in order with the chunks) usually ends the stream first.
 */
const PEER_LEFT_GRACE_MS = 5000;
/**
 * Bytes of one stream handed to the channel and not yet acknowledged by the server, at most.
 * The reliable sender keeps every message until its acknowledgement (for a replay after a
 * reconnect), and some data channels (wrtc's) take far more than their watermarks suggest, so
 * without this window a fast source would sit in memory whole; with it, the server's pace
 * (acknowledgements) holds the source back.
 */
const IN_FLIGHT_WINDOW = 2 * 1024 * 1024;

type StreamAddress = Omit<UnsequencedEnvelope, 'data'>;

interface Outgoing {
  handle: StreamHandle;
  address: StreamAddress;
  /** Its envelopes not yet acknowledged (sequence number to chunk bytes), to match a rejection. */
  seqs: Map<number, number>;
  /** Sum of `seqs`' bytes. */
  inFlight: number;
  /** Wakes the pump waiting for acknowledgements. */
  wake: (() => void) | undefined;
  endSeq: number | undefined;
  stoppedBy: Set<string>;
}

interface Incoming {
  stream: IncomingStream;
  nextIndex: number;
}

/**
 * A room's streams, both ways. Sending reads the source one piece at a time and hands each
 * chunk to the reliable channel only once the previous one was taken (so the channel's
 * backpressure, and the pacer for the server's byte rate, hold the source back), then waits for
 * the server's acknowledgement of the end. Receiving turns stream frames into
 * {@link IncomingStream}s. Both ride on the reliable channel, so a reconnect loses or repeats
 * nothing.
 */
export class RoomStreams {
  private nextId = 1;
  private readonly outgoing = new Map<number, Outgoing>();
  private readonly incoming = new Map<string, Incoming>();
  /** Streams this side cancelled: their later frames are dropped until their end. */
  private readonly dropped = new Set<string>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly pacer: StreamPacer;

  constructor(private readonly host: StreamHost) {
    this.pacer = new StreamPacer(() => host.limits());
  }

  /** Starts sending `source`; throws {@link MessageError} when it cannot even start. */
  send(type: string, source: StreamSource, options: SendStreamOptions = {}): StreamHandle {
    const prepared = prepareSource(source);
    const size = options.size ?? prepared.size;
    if (size !== undefined && (!Number.isSafeInteger(size) || size < 0)) throw new MessageError('MALFORMED', 'a stream size must be a non-negative integer');
    const address: StreamAddress = { kind: EnvelopeKind.stream, type };
    if (options.to !== undefined) address.to = typeof options.to === 'string' ? options.to : [...options.to];
    if (options.topic !== undefined) address.topic = options.topic;
    const chunkSize = this.chunkSize(address);
    const id = this.nextId;
    const open: StreamFrame = { op: 'open', id };
    if (size !== undefined) open.size = size;
    const name = options.name ?? prepared.name;
    const mime = options.mime ?? prepared.mime;
    if (name !== undefined) open.name = name;
    if (mime !== undefined) open.mime = mime;
    const { seq, sent } = this.host.send({ ...address, data: encodeStreamFrame(open) });
    this.nextId++;
    const handle = new StreamHandle(id, size, (cancelled, error) => this.cancelled(cancelled.id, error));
    const entry: Outgoing = { handle, address, seqs: new Map([[seq, 0]]), inFlight: 0, wake: undefined, endSeq: undefined, stoppedBy: new Set() };
    this.outgoing.set(id, entry);
    void this.pump(entry, prepared.chunks, sent, chunkSize, size);
    return handle;
  }

  /** A stream envelope arrived. */
  received(envelope: ReceivedEnvelope): void {
    let frame: StreamFrame;
    try {
      frame = readStreamFrame(envelope.data);
    } catch {
      // The server checked the frame; only a server of another version could send this.
      return;
    }
    if (frame.op === 'stop') {
      if (envelope.targeted) this.stopReceived(envelope.from, frame.id);
      return;
    }
    const key = streamKey(envelope.from, frame.id);
    if (this.dropped.has(key)) {
      if (frame.op === 'end' || frame.op === 'cancel') this.dropped.delete(key);
      return;
    }
    if (frame.op === 'open') {
      if (this.incoming.has(key)) return;
      const info: IncomingStreamInfo = { id: frame.id, type: envelope.type, from: envelope.from, targeted: envelope.targeted };
      if (envelope.topic !== undefined) info.topic = envelope.topic;
      if (frame.size !== undefined) info.size = frame.size;
      if (frame.name !== undefined) info.name = frame.name;
      if (frame.mime !== undefined) info.mime = frame.mime;
      const stream = new IncomingStream(info, (stopped) => this.stopReading(stopped));
      this.incoming.set(key, { stream, nextIndex: 0 });
      this.host.opened(stream);
      return;
    }
    const entry = this.incoming.get(key);
    if (!entry) return;
    const { stream } = entry;
    if (frame.op === 'chunk') {
      if (frame.index !== entry.nextIndex) {
        this.endIncoming(key, new StreamError('MALFORMED', `chunk ${frame.index} arrived where ${entry.nextIndex} was due`, frame.id, 'sender'));
        return;
      }
      entry.nextIndex++;
      stream.push(frame.bytes);
      return;
    }
    this.incoming.delete(key);
    if (frame.op === 'end') {
      if (frame.chunks === entry.nextIndex && frame.size === stream.bytesReceived) stream.finish();
      else stream.fail(new StreamError('MALFORMED', `the stream ended after ${frame.chunks} chunks; ${entry.nextIndex} arrived`, frame.id, 'sender'));
    } else {
      const by = frame.error.code === 'CANCELLED' ? 'sender' : 'server';
      stream.fail(new StreamError(frame.error.code, frame.error.message, frame.id, by));
    }
  }

  /** The server processed our reliable messages up to `seq`. */
  acked(seq: number): void {
    for (const [id, entry] of this.outgoing) {
      for (const [pending, bytes] of entry.seqs) {
        if (pending > seq) break;
        entry.seqs.delete(pending);
        entry.inFlight -= bytes;
      }
      wake(entry);
      if (entry.endSeq !== undefined && entry.endSeq <= seq) {
        this.outgoing.delete(id);
        entry.handle.completed();
      }
    }
  }

  /**
   * The server refused our reliable message `seq`: the stream it belongs to is over. The server
   * tells the receivers of a stream it tracks; the `cancel` sent here reaches those of a stream
   * it no longer tracks (e.g. opened on a node that died before another took the session over).
   */
  rejected(seq: number, error: SwitchboardError): void {
    for (const [id, entry] of this.outgoing) {
      if (!entry.seqs.has(seq)) continue;
      const failure = new StreamError(error.code, error.message, id, 'server', { cause: error });
      entry.handle.fail(failure);
      this.cancelled(id, failure);
    }
  }

  /** A peer left: its streams end unless they complete within the grace period. */
  peerLeft(peerId: string): void {
    for (const key of this.dropped) if (key.startsWith(streamKey(peerId, ''))) this.dropped.delete(key);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      for (const [key, entry] of this.incoming) {
        if (entry.stream.from === peerId) this.endIncoming(key, new StreamError('PEER_LEFT', 'the sender left the room before the stream ended', entry.stream.id, 'sender'), false);
      }
    }, PEER_LEFT_GRACE_MS);
    this.timers.add(timer);
  }

  /** The room is disconnected for good. */
  closed(error: Error): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const [id, entry] of this.outgoing) {
      entry.handle.fail(new StreamError('DISCONNECTED', error.message, id, 'connection', { cause: error }));
      wake(entry);
    }
    this.outgoing.clear();
    for (const { stream } of this.incoming.values()) stream.fail(new StreamError('DISCONNECTED', error.message, stream.id, 'connection', { cause: error }));
    this.incoming.clear();
    this.dropped.clear();
  }

  private async pump(entry: Outgoing, chunks: AsyncIterable<Uint8Array>, opened: Promise<void>, chunkSize: number, size: number | undefined): Promise<void> {
    const { handle } = entry;
    const id = handle.id;
    let index = 0;
    let total = 0;
    try {
      await opened;
      for await (const piece of chunks) {
        for (let offset = 0; offset < piece.byteLength; offset += chunkSize) {
          const bytes = piece.subarray(offset, offset + chunkSize);
          await this.pacer.take(bytes.byteLength);
          // Leaving the loop ends the source's iteration, which releases a ReadableStream.
          if (handle.settled) return;
          total += bytes.byteLength;
          if (size !== undefined && total > size) throw new MessageError('MALFORMED', `the source holds more than the ${size} bytes announced`);
          const { seq, sent } = this.host.send({ ...entry.address, data: encodeStreamFrame({ op: 'chunk', id, index, bytes }) });
          entry.seqs.set(seq, bytes.byteLength);
          entry.inFlight += bytes.byteLength;
          index++;
          await sent;
          handle.sent(bytes.byteLength);
          while (entry.inFlight > IN_FLIGHT_WINDOW && !handle.settled) await new Promise<void>((resolve) => (entry.wake = resolve));
        }
      }
      if (handle.settled) return;
      if (size !== undefined && total !== size) throw new MessageError('MALFORMED', `the source held ${total} bytes, not the ${size} announced`);
      const { seq, sent } = this.host.send({ ...entry.address, data: encodeStreamFrame({ op: 'end', id, chunks: index, size: total }) });
      entry.seqs.set(seq, 0);
      entry.endSeq = seq;
      await sent;
    } catch (error) {
      if (handle.settled) return;
      const failure =
        error instanceof SwitchboardError
          ? new StreamError(error.code, error.message, id, error.code === 'DISCONNECTED' ? 'connection' : 'sender', { cause: error })
          : new StreamError('CANCELLED', `the stream's source failed: ${error instanceof Error ? error.message : String(error)}`, id, 'sender', { cause: error });
      handle.fail(failure);
      this.cancelled(id, failure);
    }
  }

  // Our stream is over before its end: the receivers (and the server's count of open streams)
  // learn it from a `cancel`, sent after every chunk already queued.
  private cancelled(id: number, error: StreamError): void {
    const entry = this.outgoing.get(id);
    this.outgoing.delete(id);
    if (entry) wake(entry);
    if (!entry || error.code === 'DISCONNECTED') return;
    try {
      this.host.send({ ...entry.address, data: encodeStreamFrame({ op: 'cancel', id, error: { code: error.code, message: error.message } }) }).sent.catch(() => undefined);
    } catch {
      // Disconnected or no longer allowed to send: the server ends the stream when we leave.
    }
  }

  private stopReceived(peerId: string, id: number): void {
    const entry = this.outgoing.get(id);
    if (!entry || entry.stoppedBy.has(peerId)) return;
    entry.stoppedBy.add(peerId);
    entry.handle.stopped(peerId);
    const targets = entry.address.to === undefined ? undefined : targetList(entry.address.to);
    if (targets !== undefined && targets.every((target) => entry.stoppedBy.has(target))) {
      const error = new StreamError('CANCELLED', 'every receiver cancelled the stream', id, 'receiver');
      entry.handle.fail(error);
      this.cancelled(id, error);
    }
  }

  // The application cancelled an incoming stream: drop the rest and tell its sender.
  private stopReading(stream: IncomingStream): void {
    const key = streamKey(stream.from, stream.id);
    if (!this.incoming.delete(key)) return;
    this.dropped.add(key);
    if (!this.host.inRoom(stream.from)) return;
    try {
      this.host.send({ kind: EnvelopeKind.stream, type: stream.type, to: stream.from, data: encodeStreamFrame({ op: 'stop', id: stream.id }) }).sent.catch(() => undefined);
    } catch {
      // Without the sendData grant the sender is not told; its chunks are dropped here.
    }
  }

  private endIncoming(key: string, error: StreamError, dropRest = true): void {
    const entry = this.incoming.get(key);
    if (!entry) return;
    this.incoming.delete(key);
    if (dropRest) this.dropped.add(key);
    entry.stream.fail(error);
  }

  // How many bytes of a message a chunk may fill, after this stream's envelope header.
  private chunkSize(address: StreamAddress): number {
    const header = encodeOutgoing({ ...address, seq: Number.MAX_SAFE_INTEGER, data: new Uint8Array(0) }).byteLength;
    const room = this.host.maxMessageSize() - header - STREAM_CHUNK_OVERHEAD;
    if (room < 1) throw new MessageError('MESSAGE_TOO_LARGE', 'the stream header leaves no room for chunks under the server message size limit');
    return Math.min(room, MAX_CHUNK_BYTES);
  }
}

function wake(entry: Outgoing): void {
  const resolve = entry.wake;
  entry.wake = undefined;
  resolve?.();
}

function streamKey(peerId: string, id: number | string): string {
  return `${peerId}\n${id}`;
}
