import { decodeStreamFrame, SwitchboardError, type OutgoingEnvelope, type StreamFrame, type StreamLimits } from '@switchboard/sdk/protocol';
import { TokenBucket } from './rate-limiter.js';

/** An open stream of one sender, as the server tracks it. */
export interface OpenStream {
  id: number;
  /** Type, targets and topic of its `open`: every later frame must repeat them. */
  envelope: Pick<OutgoingEnvelope, 'type' | 'to' | 'toIdentities' | 'topic'>;
  /** Index the next chunk must have. */
  nextIndex: number;
  bytes: number;
  /** Size the `open` announced, if any. */
  size: number | undefined;
}

/** What the guard decided about one stream frame. */
export type StreamVerdict =
  /** Accepted; `message` when it counts against the sender's message rate (not a chunk's bytes). */
  | { ok: true; frame: StreamFrame; message?: boolean }
  /** Refused; `aborted` is the sender's open stream the refusal ends (its receivers must be told). */
  | { ok: false; error: SwitchboardError; aborted?: OpenStream };

interface SenderStreams {
  open: Map<number, OpenStream>;
  /** Highest stream ID opened: IDs only grow, so a replayed or duplicated `open` is refused. */
  lastId: number;
  bytes: TokenBucket;
}

/**
 * Checks the stream frames of a room's senders: an `open` with a new ID, chunks numbered from 0
 * without gap or repeat, an `end` that counts what was sent, and the limits on open streams,
 * bytes per stream and chunk bytes per second. It keeps one small record per open stream (no
 * bytes): the payload itself is forwarded untouched. Refusing a frame of an open stream ends
 * the stream, since its receivers could never read it whole.
 */
export class StreamGuard {
  private readonly senders = new Map<string, SenderStreams>();

  constructor(private readonly limits: StreamLimits) {}

  /** Checks one stream envelope from `senderId` (after its sender sequence number was checked). */
  check(senderId: string, envelope: OutgoingEnvelope, now: number): StreamVerdict {
    let frame: StreamFrame;
    try {
      frame = decodeStreamFrame(envelope.data);
    } catch (error) {
      return { ok: false, error: error as SwitchboardError };
    }
    if (frame.op === 'stop') {
      // A receiver's note to a stream's sender: one target, no state here.
      if (typeof envelope.to !== 'string' && envelope.to?.length !== 1) return refuse('MALFORMED', 'a stream stop goes to exactly one peer');
      return { ok: true, frame, message: true };
    }
    const sender = this.sender(senderId, now);
    if (frame.op === 'open') return this.open(sender, envelope, frame);
    const stream = sender.open.get(frame.id);
    // A sender may cancel a stream the server no longer tracks (one it refused, or one opened on
    // a node that died before this one took the session over), so its receivers learn.
    if (!stream && frame.op === 'cancel') return { ok: true, frame, message: true };
    if (!stream) return refuse('MALFORMED', `stream ${frame.id} is not open`);
    if (!sameAddress(stream.envelope, envelope)) return this.abort(sender, stream, 'MALFORMED', `stream ${frame.id}: type, targets and topic must stay those of its open`);
    switch (frame.op) {
      case 'chunk':
        return this.chunk(sender, stream, frame, now);
      case 'end':
        if (frame.chunks !== stream.nextIndex || frame.size !== stream.bytes) {
          return this.abort(sender, stream, 'MALFORMED', `stream ${frame.id} ends after ${frame.chunks} chunks (${frame.size} bytes); the server saw ${stream.nextIndex} (${stream.bytes})`);
        }
        if (stream.size !== undefined && stream.size !== stream.bytes) {
          return this.abort(sender, stream, 'MALFORMED', `stream ${frame.id} announced ${stream.size} bytes and sent ${stream.bytes}`);
        }
        sender.open.delete(frame.id);
        return { ok: true, frame };
      case 'cancel':
        sender.open.delete(frame.id);
        return { ok: true, frame };
    }
  }

  /** The sender left: its open streams, which its receivers must be told about. */
  removeSender(senderId: string): OpenStream[] {
    const sender = this.senders.get(senderId);
    this.senders.delete(senderId);
    return sender ? [...sender.open.values()] : [];
  }

  /** Forgets one stream (its frames could not be forwarded). */
  forget(senderId: string, id: number): OpenStream | undefined {
    const open = this.senders.get(senderId)?.open;
    const stream = open?.get(id);
    open?.delete(id);
    return stream;
  }

  private open(sender: SenderStreams, envelope: OutgoingEnvelope, frame: StreamFrame & { op: 'open' }): StreamVerdict {
    if (frame.id <= sender.lastId) return refuse('MALFORMED', `stream ${frame.id} was opened before (IDs must grow)`);
    if (sender.open.size >= this.limits.maxOpen) return refuse('STREAM_LIMIT', `at most ${this.limits.maxOpen} open streams per peer`);
    if (frame.size !== undefined && this.limits.maxBytes > 0 && frame.size > this.limits.maxBytes) {
      return refuse('STREAM_LIMIT', `a stream may carry at most ${this.limits.maxBytes} bytes, not ${frame.size}`);
    }
    sender.lastId = frame.id;
    const address: OpenStream['envelope'] = { type: envelope.type };
    if (envelope.to !== undefined) address.to = envelope.to;
    if (envelope.toIdentities !== undefined) address.toIdentities = envelope.toIdentities;
    if (envelope.topic !== undefined) address.topic = envelope.topic;
    sender.open.set(frame.id, { id: frame.id, envelope: address, nextIndex: 0, bytes: 0, size: frame.size });
    return { ok: true, frame, message: true };
  }

  private chunk(sender: SenderStreams, stream: OpenStream, frame: StreamFrame & { op: 'chunk' }, now: number): StreamVerdict {
    if (frame.index !== stream.nextIndex) {
      const what = frame.index < stream.nextIndex ? 'duplicated' : 'missing';
      return this.abort(sender, stream, 'MALFORMED', `stream ${frame.id}: chunk ${frame.index} arrived where ${stream.nextIndex} was due (${what} chunk)`);
    }
    const bytes = stream.bytes + frame.bytes.byteLength;
    if (stream.size !== undefined && bytes > stream.size) return this.abort(sender, stream, 'MALFORMED', `stream ${frame.id} is longer than the ${stream.size} bytes it announced`);
    if (this.limits.maxBytes > 0 && bytes > this.limits.maxBytes) return this.abort(sender, stream, 'STREAM_LIMIT', `a stream may carry at most ${this.limits.maxBytes} bytes`);
    if (!sender.bytes.take(now, frame.bytes.byteLength)) return this.abort(sender, stream, 'RATE_LIMITED', 'stream chunks above the byte rate; slow down');
    stream.nextIndex++;
    stream.bytes = bytes;
    return { ok: true, frame };
  }

  private abort(sender: SenderStreams, stream: OpenStream, code: 'MALFORMED' | 'STREAM_LIMIT' | 'RATE_LIMITED', message: string): StreamVerdict {
    sender.open.delete(stream.id);
    return { ok: false, error: new SwitchboardError(code, message), aborted: stream };
  }

  private sender(senderId: string, now: number): SenderStreams {
    let sender = this.senders.get(senderId);
    if (!sender) {
      sender = { open: new Map(), lastId: 0, bytes: new TokenBucket(this.limits.bytesPerSecond, this.limits.burstBytes, now) };
      this.senders.set(senderId, sender);
    }
    return sender;
  }
}

function refuse(code: 'MALFORMED' | 'STREAM_LIMIT', message: string): StreamVerdict {
  return { ok: false, error: new SwitchboardError(code, message) };
}

function sameAddress(a: OpenStream['envelope'], b: OutgoingEnvelope): boolean {
  return a.type === b.type && a.topic === b.topic && JSON.stringify(a.to) === JSON.stringify(b.to) && JSON.stringify(a.toIdentities) === JSON.stringify(b.toIdentities);
}
