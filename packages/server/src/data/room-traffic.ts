import type { DataChannelKind } from '@switchboard/sdk/protocol';
import type { BoundCounter, CounterFamily, Labels } from '../metrics/metrics.js';
import type { ChannelCounters, DataMetrics } from './data-metrics.js';

/** One room's data traffic on this node, as the HTTP API and the console show it. */
export interface TrafficCounts {
  /** Messages received from this node's peers of the room (`switchboard_messages_in_total`'s share). */
  messagesIn: number;
  /** Deliveries to this node's peers of the room, one per recipient (`switchboard_messages_out_total`'s share). */
  deliveries: number;
  /** Messages refused or not delivered, by reason (`switchboard_messages_dropped_total`'s share). */
  rejected: Record<string, number>;
}

/**
 * The data counters of one room on this node. `/metrics` keeps no per-room series (a label per
 * room would grow without bound for Prometheus); the room keeps its own share here, counted by
 * the same increments, so the rooms' counts add up to the node's series.
 */
export class RoomTraffic {
  private messagesIn = 0;
  private deliveries = 0;
  private readonly rejected = new Map<string, number>();

  counts(): TrafficCounts {
    return { messagesIn: this.messagesIn, deliveries: this.deliveries, rejected: Object.fromEntries(this.rejected) };
  }

  /** The node's data counters, each increment also counted for this room. */
  metrics(node: DataMetrics): DataMetrics {
    const channel = (kind: DataChannelKind): ChannelCounters => {
      const counters = node.channels[kind];
      return {
        ...counters,
        messagesIn: also(counters.messagesIn, (by) => (this.messagesIn += by)),
        messagesOut: also(counters.messagesOut, (by) => (this.deliveries += by)),
      };
    };
    const reject = (reason: string, by: number) => this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + by);
    const dropped: CounterFamily = {
      inc: (labels: Labels = {}, by = 1) => {
        node.dropped.inc(labels, by);
        reject(labels.reason ?? '', by);
      },
      bind: (labels) => also(node.dropped.bind(labels), (by) => reject(labels.reason ?? '', by)),
    };
    return {
      ...node,
      dropped,
      channels: { reliable: channel('reliable'), lossy: channel('lossy') },
      duplicates: also(node.duplicates, (by) => reject('duplicate', by)),
    };
  }
}

function also(counter: BoundCounter, count: (by: number) => void): BoundCounter {
  return {
    inc: (by = 1) => {
      counter.inc(by);
      count(by);
    },
  };
}
