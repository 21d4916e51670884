import { BATCH_ELEMENT_OVERHEAD, BATCH_OVERHEAD, encodeBatch, LOSSY_BATCH_MAX_BYTES, type DataChannelKind } from '@switchboard/sdk/protocol';
import { asBuffer } from '../buffers.js';
import type { WorkerLanes } from './worker-lanes.js';

/** How deliveries are grouped before they go into the workers. */
export interface BatchOptions {
  /**
   * How long a delivery may wait for others to the same receivers, in ms. 0 = none: only what is
   * produced in the same event-loop turn (e.g. several messages read from the worker in one
   * chunk) goes out together, at the end of that turn.
   */
  windowMs: number;
  /** Largest batch, in bytes; a delivery that would make it larger starts the next one. */
  maxBytes: number;
}

/** Consecutive deliveries on one channel to the same subchannels, not yet sent. */
interface Pending {
  list: number[];
  ignored: number | undefined;
  parts: Buffer[];
  bytes: number;
}

/**
 * Groups consecutive deliveries of one channel that go to the same subchannels (the same
 * receivers) into one batch envelope, sent into the workers with one `DataProducer.send()`:
 * each message then costs a share of one mediasoup channel crossing and one SCTP message
 * instead of a whole one. A delivery to other subchannels sends the pending batch first, so
 * every receiver sees the channel's messages in the order they were stamped.
 */
export class FanoutBatcher {
  private readonly pending: Record<DataChannelKind, Pending | undefined> = { reliable: undefined, lossy: undefined };
  private timer: { cancel(): void } | undefined;

  constructor(
    private readonly lanes: WorkerLanes,
    private readonly options: BatchOptions,
  ) {}

  /** Queues one delivery; it is sent at the end of this turn (or window) at the latest. */
  add(channel: DataChannelKind, bytes: Buffer, list: number[], ignored: number | undefined): void {
    const size = bytes.byteLength + BATCH_ELEMENT_OVERHEAD;
    const pending = this.pending[channel];
    // A lossy batch is lost whole with any one of its packets: one packet's worth at most.
    const limit = channel === 'lossy' ? Math.min(this.options.maxBytes, LOSSY_BATCH_MAX_BYTES) : this.options.maxBytes;
    if (pending && sameReceivers(pending, list, ignored) && pending.bytes + size <= limit) {
      pending.parts.push(bytes);
      pending.bytes += size;
      return;
    }
    if (pending) this.send(channel, pending);
    this.pending[channel] = { list, ignored, parts: [bytes], bytes: BATCH_OVERHEAD + size };
    this.timer ??= this.schedule();
  }

  /**
   * Everything at hand was added (one read of the room's log): with no window, what is pending
   * goes now, not at the end of the turn, behind whatever other I/O the turn still has.
   */
  inputEnded(): void {
    if (this.options.windowMs === 0) this.flush();
  }

  /** Sends everything pending. */
  flush(): void {
    this.cancelTimer();
    for (const channel of ['reliable', 'lossy'] as const) {
      const pending = this.pending[channel];
      this.pending[channel] = undefined;
      if (pending) this.send(channel, pending);
    }
  }

  /** Drops what is pending (the room is closing). */
  close(): void {
    this.cancelTimer();
    this.pending.reliable = undefined;
    this.pending.lossy = undefined;
  }

  private send(channel: DataChannelKind, { list, ignored, parts }: Pending): void {
    // A lone delivery goes as it is: a batch of one would only add bytes.
    const bytes = parts.length === 1 ? parts[0]! : asBuffer(encodeBatch(parts));
    this.lanes.send(channel, bytes, list, ignored);
  }

  // One timer per batch, not per message.
  private schedule(): { cancel(): void } {
    if (this.options.windowMs > 0) {
      const timeout = setTimeout(() => this.flush(), this.options.windowMs);
      return { cancel: () => clearTimeout(timeout) };
    }
    const immediate = setImmediate(() => this.flush());
    return { cancel: () => clearImmediate(immediate) };
  }

  private cancelTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}

function sameReceivers(pending: Pending, list: readonly number[], ignored: number | undefined): boolean {
  if (pending.ignored !== ignored || pending.list.length !== list.length) return false;
  for (let i = 0; i < list.length; i++) if (pending.list[i] !== list[i]) return false;
  return true;
}
