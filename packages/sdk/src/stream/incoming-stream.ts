import { Emitter, type Listener, type Unsubscribe } from '../events.js';
import { StreamError } from './stream-error.js';

/** How far a stream has come, in bytes. */
export interface StreamProgress {
  bytes: number;
  /** Total bytes, when the sender knew them in advance. */
  total?: number;
}

/** {@link StreamProgress} at `bytes`, with `total` when it is known. */
export function streamProgress(bytes: number, total: number | undefined): StreamProgress {
  return total === undefined ? { bytes } : { bytes, total };
}

/** Events of an {@link IncomingStream}. */
export interface IncomingStreamEvents {
  /** More bytes arrived (before they are read). */
  progress: StreamProgress;
  /** The sender ended the stream; everything is here (some may still be unread). */
  end: StreamProgress;
  /** The stream will not complete; reading rejects with the same error. */
  error: StreamError;
}

/** What a stream's `open` said, as its receiver sees it. */
export interface IncomingStreamInfo {
  /** Stream ID, unique per sender. */
  id: number;
  /** The message type it was sent with. */
  type: string;
  /** The sender's peer ID. */
  from: string;
  topic?: string;
  /** True when it was addressed to chosen peers rather than broadcast. */
  targeted: boolean;
  /** Total bytes, when the sender knew them. */
  size?: number;
  /** File name, for a stream of a `File`. */
  name?: string;
  /** MIME type, for a stream of a `Blob` or `File` (or given by the sender). */
  mime?: string;
}

/** What the receiving side does when the application cancels a stream. */
export type StopStream = (stream: IncomingStream) => void;

/**
 * A stream arriving from a peer: read it as an async iterable of chunks, as a `ReadableStream`
 * (`readable()`), or whole (`bytes()`, `text()`). Chunks arrive as fast as the sender sends
 * them and wait here until read; `cancel()` a stream you do not want. One reader per stream.
 */
export class IncomingStream implements AsyncIterable<Uint8Array> {
  readonly id: number;
  readonly type: string;
  readonly from: string;
  readonly topic?: string;
  readonly targeted: boolean;
  readonly size?: number;
  readonly name?: string;
  readonly mime?: string;
  private readonly events = new Emitter<IncomingStreamEvents>();
  private readonly chunks: Uint8Array[] = [];
  private received = 0;
  private ended = false;
  private failure: StreamError | undefined;
  private wake: (() => void) | undefined;

  /** @internal Streams are made by the room when their `open` arrives. */
  constructor(
    info: IncomingStreamInfo,
    private readonly stop: StopStream,
  ) {
    this.id = info.id;
    this.type = info.type;
    this.from = info.from;
    this.targeted = info.targeted;
    if (info.topic !== undefined) this.topic = info.topic;
    if (info.size !== undefined) this.size = info.size;
    if (info.name !== undefined) this.name = info.name;
    if (info.mime !== undefined) this.mime = info.mime;
  }

  /** Bytes received so far. */
  get bytesReceived(): number {
    return this.received;
  }

  /** Whether the stream is over: complete, cancelled or failed. */
  get settled(): boolean {
    return this.ended || this.failure !== undefined;
  }

  /** Listens to `event` until the returned function is called. */
  on<K extends keyof IncomingStreamEvents>(event: K, listener: Listener<IncomingStreamEvents[K]>): Unsubscribe {
    return this.events.on(event, listener);
  }

  /**
   * Stops receiving: the sender is told (it may stop sending), unread chunks are dropped and
   * reading rejects with {@link StreamError} `CANCELLED`.
   */
  cancel(reason = 'the receiver cancelled the stream'): void {
    if (this.settled) return;
    this.fail(new StreamError('CANCELLED', reason, this.id, 'receiver'));
    this.chunks.length = 0;
    this.stop(this);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk !== undefined) {
        yield chunk;
        continue;
      }
      if (this.failure) throw this.failure;
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** The stream as a `ReadableStream` of chunks; cancelling it cancels the stream. */
  readable(): ReadableStream<Uint8Array> {
    const iterator = this[Symbol.asyncIterator]();
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        try {
          const next = await iterator.next();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        } catch (error) {
          controller.error(error);
        }
      },
      cancel: (reason) => this.cancel(typeof reason === 'string' ? reason : undefined),
    });
  }

  /** Reads the whole stream into one array. Rejects with {@link StreamError}. */
  async bytes(): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let length = 0;
    for await (const chunk of this) {
      parts.push(chunk);
      length += chunk.byteLength;
    }
    const whole = new Uint8Array(length);
    let offset = 0;
    for (const part of parts) {
      whole.set(part, offset);
      offset += part.byteLength;
    }
    return whole;
  }

  /** Reads the whole stream as UTF-8 text. Rejects with {@link StreamError}. */
  async text(): Promise<string> {
    return new TextDecoder().decode(await this.bytes());
  }

  /** @internal The next chunk arrived. */
  push(chunk: Uint8Array): void {
    if (this.settled) return;
    this.chunks.push(chunk);
    this.received += chunk.byteLength;
    this.events.emit('progress', streamProgress(this.received, this.size));
    this.wakeReader();
  }

  /** @internal The sender ended the stream. */
  finish(): void {
    if (this.settled) return;
    this.ended = true;
    this.events.emit('end', streamProgress(this.received, this.size));
    this.wakeReader();
  }

  /** @internal The stream will not complete. */
  fail(error: StreamError): void {
    if (this.settled) return;
    this.failure = error;
    this.events.emit('error', error);
    this.wakeReader();
  }

  private wakeReader(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
