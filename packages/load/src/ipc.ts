import type { ReceiverReport } from './delivery-tracker.js';
import type { TokenSourceOptions } from './options.js';
import type { PeerSpec } from './plan.js';

/** What the coordinator tells a load process. */
export type ToWorker =
  /**
   * Its peers, the run's start (epoch ms) their join times count from, the join settings, and
   * where tokens come from (over IPC, so the secret never shows in a process list).
   */
  | { type: 'start'; peers: PeerSpec[]; startAt: number; joinRetries: number; joinTimeoutMs: number; tokens: TokenSourceOptions }
  /** Messages start now (storm joins count from here). */
  | { type: 'send'; startAt: number }
  /** Stop sending and say how many each sender sent. */
  | { type: 'stopSending' }
  /** Every sender's total; report each receiver once it has everything, or at `deadline` (epoch ms). */
  | { type: 'expect'; sent: SenderTotal[]; deadline: number }
  /** Leave the rooms and exit. */
  | { type: 'leave' };

/** How many messages a sender numbered, in which room. */
export interface SenderTotal {
  identity: string;
  room: string;
  sent: number;
}

/** Video as one video viewer saw it. */
export interface VideoReport {
  identity: string;
  /** ms from its join to the first decoded frame; absent if none came. */
  firstFrameMs?: number;
  frames: number;
}

/** What a load process tells the coordinator. */
export type FromWorker =
  | { type: 'ready' }
  /** A peer joined: `at` epoch ms, `ms` the successful attempt's duration, `attempts` how many it took. */
  | { type: 'joined'; identity: string; role: PeerSpec['role']; at: number; ms: number; attempts: number }
  /** A join failed for good (`fatal`: the run cannot go on, e.g. the token was refused). */
  | { type: 'joinFailed'; identity: string; role: PeerSpec['role']; code: string; message: string; fatal: boolean; attempts: number }
  /** A joined peer lost its connection and the SDK is resuming (`resumed`) or gave up. */
  | { type: 'connection'; identity: string; event: 'lost' | 'resumed' | 'closed'; at: number; reason?: string }
  /** Deliveries of the last interval: latencies in ms, and how many were duplicates. */
  | { type: 'deliveries'; at: number; latencies: number[]; duplicates: number }
  /** Messages sent in the last interval, and sends that failed. */
  | { type: 'sent'; at: number; count: number; failed: number }
  /** Answer to `stopSending`: each sender's total. */
  | { type: 'sentTotals'; totals: SenderTotal[] }
  /** Answer to `expect`: every receiver's report, and the video viewers'. */
  | { type: 'reports'; receivers: ReceiverReport[]; video: VideoReport[] }
  /** Answer to `leave`, just before exiting. */
  | { type: 'left' };
