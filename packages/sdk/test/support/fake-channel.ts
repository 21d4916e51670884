import type { ChannelEvent, OutgoingChannel } from '../../src/data-channel/channel.js';
import { decodeOutgoing, type OutgoingEnvelope } from '../../src/protocol/index.js';

/**
 * An outgoing DataChannel whose state the test drives: `bufferedAmount` only changes when the
 * test sets it, and events fire when the test says so.
 */
export class FakeChannel implements OutgoingChannel {
  readyState: RTCDataChannelState = 'open';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  /** Every message handed to the channel, in order. */
  readonly sent: Uint8Array[] = [];
  /** Whether each send adds its bytes to `bufferedAmount`, as a channel that does not drain; false models one that drains instantly. */
  buffers = false;
  /** Makes `send` throw while still reporting 'open', as a channel closing underneath does. */
  failSends = false;
  private readonly listeners = new Map<ChannelEvent, Set<() => void>>();

  send(data: Uint8Array): void {
    if (this.readyState !== 'open' || this.failSends) throw new Error('InvalidStateError: not open');
    this.sent.push(data);
    if (this.buffers) this.bufferedAmount += data.byteLength;
  }

  on(event: ChannelEvent, listener: () => void): void {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(listener);
  }

  off(event: ChannelEvent, listener: () => void): void {
    this.listeners.get(event)?.delete(listener);
  }

  listenerCount(event: ChannelEvent): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  /** Opens a channel created in the 'connecting' state. */
  open(): void {
    this.readyState = 'open';
    this.fire('open');
  }

  /** Drains the buffer to `amount` bytes, firing `bufferedamountlow` as a browser would. */
  drainTo(amount: number): void {
    const wasAbove = this.bufferedAmount > this.bufferedAmountLowThreshold;
    this.bufferedAmount = amount;
    if (wasAbove && amount <= this.bufferedAmountLowThreshold) this.fire('bufferedamountlow');
  }

  /** The decoded envelopes sent. */
  envelopes(): OutgoingEnvelope[] {
    return this.sent.map((bytes) => decodeOutgoing(bytes));
  }

  /** Sequence numbers of the envelopes sent. */
  seqs(): number[] {
    return this.envelopes().map((envelope) => envelope.seq);
  }

  private fire(event: ChannelEvent): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) listener();
  }
}
