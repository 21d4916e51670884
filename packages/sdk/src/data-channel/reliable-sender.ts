import type { OutgoingChannel, Watermarks } from './channel.js';
import { ChannelState } from './channel-state.js';
import type { EnvelopeSealer } from '../e2ee/data-encryption.js';
import { sealEnvelope, type SizeLimit, type UnsequencedEnvelope } from './outgoing.js';

/** Settings of a {@link ReliableSender}. */
export interface ReliableSenderOptions {
  watermarks: Watermarks;
  /** The server's current limit on an encoded envelope. */
  limit: () => SizeLimit;
  /** How often to look at `bufferedAmount` while waiting for the buffer to drain, in ms. */
  drainPollMs?: number;
  /** End-to-end encryption of payloads, when it is on. */
  seal?: EnvelopeSealer;
}

/** A message accepted by {@link ReliableSender.send}. */
export interface ReliableSend {
  /** Its sequence number on the reliable channel. */
  seq: number;
  /** Resolves when the message is handed to the channel; rejects if it never can be. */
  sent: Promise<void>;
}

interface Entry {
  seq: number;
  /** Absent while its payload is being encrypted: the queue waits for it, keeping the order. */
  bytes?: Uint8Array;
  /** Present until the message is first handed to a channel. */
  settle?: { resolve: () => void; reject: (error: Error) => void };
}

// The size of an encrypted message is checked, exactly, before it is encrypted.
const UNCHECKED: SizeLimit = { bytes: Infinity, name: 'no limit' };

// wrtc (Node) has neither `bufferedAmountLowThreshold` nor `bufferedamountlow`, so the sender also
// polls while it waits; browsers wake it earlier through the event.
const DEFAULT_DRAIN_POLL_MS = 20;

/**
 * The sending side of the reliable channel. Numbers messages from 1, keeps every message until
 * the server acknowledges it, queues messages while the channel is missing or its buffer is above
 * the high watermark, and after a reconnect sends the unacknowledged ones again, with the same
 * numbers, before any new one.
 */
export class ReliableSender {
  private nextSeq = 1;
  /** Handed to the channel, not yet acknowledged; in `seq` order. */
  private inFlight: Entry[] = [];
  /** Waiting for a channel (replays first); in `seq` order, all above `inFlight`'s. */
  private queue: Entry[] = [];
  private channel: ChannelState | undefined;
  private stopWaiting: (() => void) | undefined;
  private failure: Error | undefined;
  private sentCount = 0;

  constructor(private readonly options: ReliableSenderOptions) {}

  /** Messages handed to a channel (a replay does not count again). */
  get sent(): number {
    return this.sentCount;
  }

  /** Messages waiting to be handed to a channel. */
  get queued(): number {
    return this.queue.length;
  }

  /** The number of the last message handed to the channel and not yet acknowledged; 0 if none. */
  get unackedUpTo(): number {
    return this.inFlight.at(-1)?.seq ?? 0;
  }

  /** Messages handed to a channel and not yet acknowledged. */
  get unacked(): number {
    return this.inFlight.length;
  }

  /**
   * Numbers and queues a message, sending it at once when the channel can take it. Throws
   * {@link MessageError} (nothing is sent) or, after {@link fail}, that failure.
   */
  send(envelope: UnsequencedEnvelope): ReliableSend {
    if (this.failure !== undefined) throw this.failure;
    const seq = this.nextSeq;
    const encrypting = this.options.seal?.(envelope);
    // Encrypted, checked with a stand-in of the ciphertext's size: it is refused now or never.
    const bytes = sealEnvelope(encrypting === undefined ? envelope : { ...envelope, data: encrypting.placeholder }, seq, this.options.limit());
    this.nextSeq++;
    let entry!: Entry;
    const sent = new Promise<void>((resolve, reject) => this.queue.push((entry = { seq, settle: { resolve, reject } })));
    if (encrypting === undefined) entry.bytes = bytes;
    else this.encrypted(entry, envelope, encrypting.sealed);
    this.flush();
    return { seq, sent };
  }

  // The entry's payload is encrypted: it may go, and the ones queued behind it. One that cannot be
  // encrypted is dropped (the server takes numbers with gaps) and its send rejects.
  private encrypted(entry: Entry, envelope: UnsequencedEnvelope, sealed: Promise<Uint8Array>): void {
    sealed.then(
      (data) => {
        entry.bytes = sealEnvelope({ ...envelope, data }, entry.seq, UNCHECKED);
        this.flush();
      },
      (error: unknown) => {
        const at = this.queue.indexOf(entry);
        if (at >= 0) this.queue.splice(at, 1);
        entry.settle?.reject(error as Error);
        this.flush();
      },
    );
  }

  /** The server has processed our messages up to `seq`: they will never need a replay. */
  ack(seq: number): void {
    while (this.inFlight.length > 0 && this.inFlight[0]!.seq <= seq) this.inFlight.shift();
    // Only replays can be acknowledged while queued: the server saw them on an earlier channel.
    while (this.queue.length > 0 && this.queue[0]!.seq <= seq) this.queue.shift()!.settle?.resolve();
  }

  /** Sends through `channel` from now on, starting with what is queued. */
  attach(channel: OutgoingChannel): void {
    this.detach();
    const state = new ChannelState(channel);
    this.channel = state;
    channel.bufferedAmountLowThreshold = this.options.watermarks.low;
    if (state.open) this.flush();
    else this.waitFor(state, 'open', () => true);
  }

  /**
   * The channel is gone. Unacknowledged messages go back to the front of the queue: the server
   * may not have received them, and after a resume it tells which ones it did.
   */
  detach(): void {
    this.stopWaiting?.();
    this.channel?.dispose();
    this.channel = undefined;
    this.queue = [...this.inFlight, ...this.queue];
    this.inFlight = [];
  }

  /** The session is over: queued sends reject with `error`, and so does every later one. */
  fail(error: Error): void {
    this.detach();
    this.failure = error;
    for (const entry of this.queue) entry.settle?.reject(error);
    this.queue = [];
  }

  private flush(): void {
    const channel = this.channel;
    if (channel === undefined || !channel.open || this.stopWaiting !== undefined) return;
    const { high, low } = this.options.watermarks;
    while (this.queue.length > 0) {
      if (channel.bufferedAbove(high)) {
        this.waitFor(channel, 'bufferedamountlow', () => channel.buffered() <= low);
        return;
      }
      const entry = this.queue[0]!;
      if (entry.bytes === undefined) return;
      // A channel that throws is closing; the connection notices, detaches it and replays from the queue.
      if (!channel.send(entry.bytes)) return;
      this.queue.shift();
      this.inFlight.push(entry);
      if (entry.settle !== undefined) {
        this.sentCount++;
        entry.settle.resolve();
        delete entry.settle;
      }
    }
  }

  /** Flushes once `event` fires on `channel`, or a poll finds `ready()` true. */
  private waitFor(state: ChannelState, event: 'open' | 'bufferedamountlow', ready: () => boolean): void {
    const channel = state.channel;
    const wake = (): void => {
      stop();
      this.flush();
    };
    const poll = setInterval(() => {
      if (state.refresh() && ready()) wake();
    }, this.options.drainPollMs ?? DEFAULT_DRAIN_POLL_MS);
    const stop = (): void => {
      clearInterval(poll);
      channel.off(event, wake);
      this.stopWaiting = undefined;
    };
    channel.on(event, wake);
    this.stopWaiting = stop;
  }
}
