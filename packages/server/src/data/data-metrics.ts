import type { DataChannelKind } from '@switchboard/sdk/protocol';
import type { BoundCounter, CounterFamily, Metrics } from '../metrics/metrics.js';

/** The counters of one data channel, bound once so the hot path builds no label strings. */
export interface ChannelCounters {
  messagesIn: BoundCounter;
  bytesIn: BoundCounter;
  messagesOut: BoundCounter;
  bytesOut: BoundCounter;
}

/** The data plane's counters, shared by every room. */
export interface DataMetrics {
  /** Messages received from peers, by channel. */
  messagesIn: CounterFamily;
  /** Deliveries to peers (one per recipient), by channel. */
  messagesOut: CounterFamily;
  /** Messages not delivered, by reason (an error code in lower case, or `duplicate`). */
  dropped: CounterFamily;
  bytesIn: CounterFamily;
  bytesOut: CounterFamily;
  /** The in/out counters of each channel, pre-bound. */
  channels: Record<DataChannelKind, ChannelCounters>;
  /** `dropped{reason="duplicate"}`, pre-bound: resent messages come in floods after a resume. */
  duplicates: BoundCounter;
}

/** Declares the data plane's counters on `metrics`. */
export function dataMetrics(metrics: Metrics): DataMetrics {
  const messagesIn = metrics.counter('switchboard_messages_in_total', 'Data messages received from peers');
  const messagesOut = metrics.counter('switchboard_messages_out_total', 'Data message deliveries to peers');
  const dropped = metrics.counter('switchboard_messages_dropped_total', 'Data messages not delivered, by reason');
  const bytesIn = metrics.counter('switchboard_bytes_in_total', 'Data bytes received from peers');
  const bytesOut = metrics.counter('switchboard_bytes_out_total', 'Data bytes delivered to peers');
  const bound = (channel: DataChannelKind): ChannelCounters => ({
    messagesIn: messagesIn.bind({ channel }),
    bytesIn: bytesIn.bind({ channel }),
    messagesOut: messagesOut.bind({ channel }),
    bytesOut: bytesOut.bind({ channel }),
  });
  return {
    messagesIn,
    messagesOut,
    dropped,
    bytesIn,
    bytesOut,
    channels: { reliable: bound('reliable'), lossy: bound('lossy') },
    duplicates: dropped.bind({ reason: 'duplicate' }),
  };
}
