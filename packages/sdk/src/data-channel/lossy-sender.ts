import type { OutgoingChannel, Watermarks } from './channel.js';
import { ChannelState } from './channel-state.js';
import { sealEnvelope, type SizeLimit, type UnsequencedEnvelope } from './outgoing.js';

/** Settings of a {@link LossySender}. */
export interface LossySenderOptions {
  watermarks: Watermarks;
  /** The server's current limit on an encoded lossy envelope. */
  limit: () => SizeLimit;
}

/** Why a lossy message was dropped before it was sent. */
export type LossyDropReason = 'disconnected' | 'backpressure';

/**
 * The sending side of the lossy channel: a message goes out at once or not at all. It is dropped
 * (and counted) when there is no open channel or the channel's buffer is above the high
 * watermark, since a late lossy message is worth less than a fresh one.
 */
export class LossySender {
  private nextSeq = 1;
  private channel: ChannelState | undefined;
  private failure: Error | undefined;
  private sentCount = 0;
  private droppedCount = 0;

  constructor(private readonly options: LossySenderOptions) {}

  /** Messages handed to a channel. */
  get sent(): number {
    return this.sentCount;
  }

  /** Messages dropped for want of an open channel or of buffer room. */
  get dropped(): number {
    return this.droppedCount;
  }

  /**
   * Sends a message if the channel can take it now; returns why it did not, or undefined when it
   * did. Throws {@link MessageError} for a message the server would refuse, or, after
   * {@link fail}, that failure.
   */
  send(envelope: UnsequencedEnvelope): LossyDropReason | undefined {
    if (this.failure !== undefined) throw this.failure;
    const bytes = sealEnvelope(envelope, this.nextSeq, this.options.limit());
    const channel = this.channel;
    // A send that throws (a closing channel) loses the message, as any lossy message may be.
    let dropped: LossyDropReason | undefined;
    if (channel === undefined || !channel.open) dropped = 'disconnected';
    else if (channel.bufferedAbove(this.options.watermarks.high)) dropped = 'backpressure';
    else if (!channel.send(bytes)) dropped = 'disconnected';
    if (dropped !== undefined) {
      this.droppedCount++;
      return dropped;
    }
    this.nextSeq++;
    this.sentCount++;
    return undefined;
  }

  /** Sends through `channel` from now on. */
  attach(channel: OutgoingChannel): void {
    this.detach();
    this.channel = new ChannelState(channel);
  }

  /** The channel is gone: messages are dropped until the next {@link attach}. */
  detach(): void {
    this.channel?.dispose();
    this.channel = undefined;
  }

  /** The session is over: every later send throws `error`. */
  fail(error: Error): void {
    this.detach();
    this.failure = error;
  }
}
