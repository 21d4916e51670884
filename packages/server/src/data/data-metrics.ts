import type { Counter, Metrics } from '../metrics/metrics.js';

/** The data plane's counters, shared by every room. */
export interface DataMetrics {
  /** Messages received from peers, by channel. */
  messagesIn: Counter;
  /** Deliveries to peers (one per recipient), by channel. */
  messagesOut: Counter;
  /** Messages not delivered, by reason (an error code in lower case, or `duplicate`). */
  dropped: Counter;
  bytesIn: Counter;
  bytesOut: Counter;
}

/** Declares the data plane's counters on `metrics`. */
export function dataMetrics(metrics: Metrics): DataMetrics {
  return {
    messagesIn: metrics.counter('switchboard_messages_in_total', 'Data messages received from peers'),
    messagesOut: metrics.counter('switchboard_messages_out_total', 'Data message deliveries to peers'),
    dropped: metrics.counter('switchboard_messages_dropped_total', 'Data messages not delivered, by reason'),
    bytesIn: metrics.counter('switchboard_bytes_in_total', 'Data bytes received from peers'),
    bytesOut: metrics.counter('switchboard_bytes_out_total', 'Data bytes delivered to peers'),
  };
}
