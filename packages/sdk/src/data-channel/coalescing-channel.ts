import { BATCH_ELEMENT_OVERHEAD, BATCH_OVERHEAD, encodeBatch } from '../protocol/index.js';
import type { ChannelEvent, OutgoingChannel } from './channel.js';
import { nextTask } from './next-task.js';

/**
 * An outgoing channel that gathers the messages sent in one task and hands them on once it is
 * over ({@link nextTask}) as few DataChannel messages as fit: one message alone as it is, several
 * as one batch envelope (protocol version 4) of at most `maxMessageSize` bytes. A busy sender's
 * messages then cost the server one SCTP message and one crossing of the mediasoup channel per
 * batch instead of per message. A message waits only until the code that sent it yields to the
 * event loop, with no timer; the costs are that a lossy batch is lost whole, and that a send's
 * failure surfaces on the next send (the channel then reports itself closed). A microtask would
 * flush sooner but batch nothing for a loop that awaits each send.
 */
export class CoalescingChannel implements OutgoingChannel {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private scheduled = false;
  // A channel that threw once is closing: it never opens again (each session has its own).
  private broken = false;

  constructor(
    private readonly inner: OutgoingChannel,
    private readonly maxMessageSize: () => number,
  ) {}

  get readyState(): RTCDataChannelState {
    return this.broken ? 'closed' : this.inner.readyState;
  }

  /** The inner channel's, plus what waits for the end of the tick. */
  get bufferedAmount(): number {
    return this.inner.bufferedAmount + this.pendingBytes;
  }

  get bufferedAmountLowThreshold(): number {
    return this.inner.bufferedAmountLowThreshold;
  }

  set bufferedAmountLowThreshold(value: number) {
    this.inner.bufferedAmountLowThreshold = value;
  }

  send(data: Uint8Array): void {
    if (this.broken) throw new Error('InvalidStateError: the data channel is closing');
    this.pending.push(data);
    this.pendingBytes += data.byteLength;
    if (this.scheduled) return;
    this.scheduled = true;
    nextTask(() => this.flush());
  }

  on(event: ChannelEvent, listener: () => void): void {
    this.inner.on(event, listener);
  }

  off(event: ChannelEvent, listener: () => void): void {
    this.inner.off(event, listener);
  }

  /** The channel is gone: what waits is dropped (its reliable messages are replayed from the sender's log). */
  discard(): void {
    this.broken = true;
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Hands on what waits now; the scheduled flush then finds nothing. */
  flush(): void {
    this.scheduled = false;
    const messages = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    if (this.broken) return;
    try {
      for (const group of groups(messages, this.maxMessageSize())) this.inner.send(group.length === 1 ? group[0]! : encodeBatch(group));
    } catch {
      this.broken = true;
    }
  }
}

/** `messages` in order, cut into runs whose batch fits in `limit` bytes (a message alone always does). */
function groups(messages: readonly Uint8Array[], limit: number): Uint8Array[][] {
  const runs: Uint8Array[][] = [];
  let run: Uint8Array[] = [];
  let size = BATCH_OVERHEAD;
  for (const message of messages) {
    const added = message.byteLength + BATCH_ELEMENT_OVERHEAD;
    if (run.length > 0 && size + added > limit) {
      runs.push(run);
      run = [];
      size = BATCH_OVERHEAD;
    }
    run.push(message);
    size += added;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
