import { Emitter, type Listener, type Unsubscribe } from '../events.js';
import type { SwitchboardError } from '../protocol/index.js';
import { streamProgress, type StreamProgress } from './incoming-stream.js';
import { StreamError } from './stream-error.js';

/** Events of a {@link StreamHandle}. */
export interface StreamHandleEvents {
  /** More bytes were handed to the data channel. */
  progress: StreamProgress;
  /** A receiver cancelled its reading of the stream. */
  stopped: { peerId: string };
}

/**
 * A stream being sent, from `room.sendStream`. `done` resolves once the server has accepted
 * every chunk and the end, and rejects with {@link StreamError} when the stream does not
 * complete; the handle also reports progress, and can cancel.
 */
export class StreamHandle {
  /** The stream's ID, unique among this peer's streams. */
  readonly id: number;
  /** Resolves when the server accepted the whole stream; rejects with {@link StreamError}. */
  readonly done: Promise<void>;
  private readonly events = new Emitter<StreamHandleEvents>();
  private sentBytes = 0;
  private readonly totalBytes: number | undefined;
  private failure: StreamError | undefined;
  private complete = false;
  private settle!: { resolve: () => void; reject: (error: StreamError) => void };

  /** @internal Handles are made by `room.sendStream`. */
  constructor(
    id: number,
    total: number | undefined,
    private readonly onCancel: (handle: StreamHandle, error: StreamError) => void,
  ) {
    this.id = id;
    this.totalBytes = total;
    this.done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    // An application that never awaits `done` must not get an unhandled rejection for it.
    this.done.catch(() => undefined);
  }

  /** Bytes handed to the data channel so far. */
  get bytesSent(): number {
    return this.sentBytes;
  }

  /** Total bytes, when known in advance. */
  get total(): number | undefined {
    return this.totalBytes;
  }

  /** Whether the stream is over: complete, cancelled or failed. */
  get settled(): boolean {
    return this.complete || this.failure !== undefined;
  }

  /** Listens to `event` until the returned function is called. */
  on<K extends keyof StreamHandleEvents>(event: K, listener: Listener<StreamHandleEvents[K]>): Unsubscribe {
    return this.events.on(event, listener);
  }

  /** Stops sending; receivers get {@link StreamError} `CANCELLED`, and so does `done`. */
  cancel(reason = 'the sender cancelled the stream'): void {
    if (this.settled) return;
    const error = new StreamError('CANCELLED', reason, this.id, 'sender');
    this.fail(error);
    this.onCancel(this, error);
  }

  /** @internal Why sending must stop, once it must. */
  get error(): StreamError | undefined {
    return this.failure;
  }

  /** @internal `bytes` more were handed to the channel. */
  sent(bytes: number): void {
    this.sentBytes += bytes;
    this.events.emit('progress', streamProgress(this.sentBytes, this.totalBytes));
  }

  /** @internal A receiver stopped reading. */
  stopped(peerId: string): void {
    this.events.emit('stopped', { peerId });
  }

  /** @internal The server accepted the end. */
  completed(): void {
    if (this.settled) return;
    this.complete = true;
    this.settle.resolve();
  }

  /** @internal The stream will not complete. */
  fail(error: StreamError | SwitchboardError): void {
    if (this.settled) return;
    this.failure = error instanceof StreamError ? error : new StreamError(error.code, error.message, this.id, 'server', { cause: error });
    this.settle.reject(this.failure);
  }
}
