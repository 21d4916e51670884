import type { DataChannelKind } from '@switchboard/sdk/protocol';
import type { SctpStreamParameters } from 'mediasoup/types';

/**
 * How long a lossy delivery may wait in the worker's SCTP send queue before it is dropped, in ms.
 * mediasoup 3.27's SCTP stack gives an unordered DataConsumer a lifetime of `maxPacketLifeTime`,
 * which is 0 when only `maxRetransmits` is set: a message whose packets the congestion window
 * (about 4 KB on a fresh association) did not take at once expired unsent, so every lossy
 * message above ~4.6 KB, and every burst above it, was lost without a trace. A lifetime long
 * enough for a 64 KiB message to leave over a slow path, short enough that a late lossy message
 * is not worth more than a fresh one; no retransmission either way (`maxRetransmits` stays 0).
 * See docs/decisions.md ("Lossy deliveries get a lifetime").
 */
export const LOSSY_LIFETIME_MS = 3000;

/** The SCTP parameters of the server's two DataChannels to each receiver. */
export const RECEIVER_CHANNEL_PARAMETERS: Record<DataChannelKind, Pick<SctpStreamParameters, 'ordered' | 'maxPacketLifeTime'>> = {
  reliable: { ordered: true },
  lossy: { ordered: false, maxPacketLifeTime: LOSSY_LIFETIME_MS },
};
