import type { DataEncryption } from '../e2ee/data-encryption.js';
import type { OutgoingChannel, Watermarks } from './channel.js';
import type { SizeLimit } from './outgoing.js';
import { CoalescingChannel } from './coalescing-channel.js';
import { LOSSY_BATCH_MAX_BYTES } from '../protocol/index.js';
import { LossySender } from './lossy-sender.js';
import { Receiver } from './receiver.js';
import { ReliableSender } from './reliable-sender.js';

/** The two outgoing channels of a session. */
export interface OutgoingChannels {
  reliable: OutgoingChannel;
  lossy: OutgoingChannel;
}

/** Counters of the data channels, over the whole session (reconnects included). */
export interface DataStats {
  /** Messages handed to a channel, both channels (a replay does not count again). */
  sent: number;
  /** Messages received and accepted, both channels. */
  received: number;
  /** Lossy messages dropped before sending: no open channel, or its buffer was full. */
  lossyDropped: number;
  /** Messages the server refused (each also a `messageRejected` event), both channels. */
  rejected: number;
  /** Reliable messages waiting for the channel (disconnected, or backpressure). */
  queued: number;
  /** Reliable messages sent and not yet acknowledged by the server. */
  unacked: number;
  /** Reliable deliveries dropped as already received (replays after a resume). */
  duplicatesDropped: number;
  /** Deliveries dropped because they could not be decoded. */
  malformedDropped: number;
}

/** Both senders and the receiver, attached to and detached from each session's channels together. */
export class DataPlane {
  readonly reliable: ReliableSender;
  readonly lossy: LossySender;
  readonly receiver = new Receiver();
  /** The server's limit on an encoded envelope, in bytes; every `join` reports it. */
  maxMessageSize = Infinity;
  /** The server's limit on an encoded lossy envelope, in bytes; every `join` reports it. */
  maxLossyMessageSize = Infinity;
  /** Messages the server refused. */
  rejected = 0;
  private coalescers: CoalescingChannel[] = [];

  /**
   * With `coalesce`, the messages sent in one tick go out as one batch per channel (see
   * {@link CoalescingChannel}); with `encryption`, payloads are end-to-end encrypted.
   */
  constructor(
    watermarks: Watermarks,
    private readonly coalesce: boolean,
    readonly encryption?: DataEncryption,
  ) {
    this.reliable = new ReliableSender({
      watermarks,
      limit: () => ({ bytes: this.maxMessageSize, name: 'the server\'s maxMessageSize' }),
      ...(encryption === undefined ? {} : { seal: encryption.seal }),
    });
    this.lossy = new LossySender({ watermarks, limit: () => this.lossyLimit() });
  }

  /** The limit of a lossy message. */
  lossyLimit(): SizeLimit {
    return { bytes: this.maxLossyMessageSize, name: "the server's maxLossyMessageSize (send it reliably or as a stream)" };
  }

  /** Current counters. */
  get stats(): DataStats {
    return {
      sent: this.reliable.sent + this.lossy.sent,
      received: this.receiver.received,
      lossyDropped: this.lossy.dropped,
      rejected: this.rejected,
      queued: this.reliable.queued,
      unacked: this.reliable.unacked,
      duplicatesDropped: this.receiver.duplicates,
      malformedDropped: this.receiver.malformed,
    };
  }

  /** Sends through a new session's channels. */
  attach(channels: OutgoingChannels): void {
    this.discardCoalescers();
    this.reliable.attach(this.outgoing(channels.reliable, () => this.maxMessageSize));
    // A lossy batch is lost whole with any one of its packets: one packet's worth at most, so a
    // loss costs the few messages that shared it.
    this.lossy.attach(this.outgoing(channels.lossy, () => Math.min(this.maxLossyMessageSize, LOSSY_BATCH_MAX_BYTES)));
  }

  /** The session's channels are gone. */
  detach(): void {
    this.reliable.detach();
    this.lossy.detach();
    this.discardCoalescers();
  }

  /**
   * Hands on what the coalescers hold, then stops using the channels, as {@link detach} does:
   * for a peer about to ask the server to close them. Later messages wait in the senders.
   * Returns the number of the last reliable message handed on that the server has not
   * acknowledged (0 if none): the leave request asks the server to wait for it.
   */
  stopSending(): number {
    for (const coalescer of this.coalescers) coalescer.flush();
    const unacked = this.reliable.unackedUpTo;
    this.detach();
    return unacked;
  }

  /** The session is over for good. */
  fail(error: Error): void {
    this.detach();
    this.reliable.fail(error);
    this.lossy.fail(error);
  }

  private discardCoalescers(): void {
    for (const coalescer of this.coalescers) coalescer.discard();
    this.coalescers = [];
  }

  private outgoing(channel: OutgoingChannel, batchLimit: () => number): OutgoingChannel {
    if (!this.coalesce) return channel;
    const coalescer = new CoalescingChannel(channel, batchLimit);
    this.coalescers.push(coalescer);
    return coalescer;
  }
}
