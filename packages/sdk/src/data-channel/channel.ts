/** Events of an {@link OutgoingChannel} the senders listen to. */
export type ChannelEvent = 'open' | 'close' | 'bufferedamountlow';

/**
 * The part of an outgoing DataChannel the senders use; a mediasoup-client DataProducer has it.
 */
export interface OutgoingChannel {
  readonly readyState: RTCDataChannelState;
  /** Bytes handed to the channel and not yet sent. */
  readonly bufferedAmount: number;
  /** `bufferedamountlow` fires when `bufferedAmount` falls to this (not every implementation does). */
  bufferedAmountLowThreshold: number;
  send(data: Uint8Array): void;
  on(event: ChannelEvent, listener: () => void): unknown;
  off(event: ChannelEvent, listener: () => void): unknown;
}

/**
 * Backpressure limits, in bytes of `bufferedAmount`: above `high` the reliable sender queues
 * messages (and the lossy one drops them) until the buffer drains to `low`.
 */
export interface Watermarks {
  high: number;
  low: number;
}

/** Watermarks used unless the application chooses others. */
export const DEFAULT_WATERMARKS: Readonly<Watermarks> = Object.freeze({ high: 1024 * 1024, low: 256 * 1024 });
