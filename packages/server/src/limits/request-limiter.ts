import { TokenBucket } from '../data/rate-limiter.js';

/** The per-connection limits on signaling requests (see docs/security.md). */
export interface RequestLimits {
  /** Sustained frames per second, whatever they are. */
  requestsPerSecond: number;
  requestBurst: number;
  /** Sustained room-changing requests per second: those everyone else hears about. */
  updatesPerSecond: number;
  updateBurst: number;
  /** Sustained direct channel signals (offer, answer, candidates...) per second. */
  directSignalsPerSecond: number;
  directSignalBurst: number;
  /** Notification bytes per second this connection's updates may make the server send. */
  fanoutBytesPerSecond: number;
  /** Refusals within {@link STRIKE_WINDOW_MS} after which the connection is kicked; 0 = never. */
  kickAfter: number;
}

/** The bucket a refusal came from, as counted in `switchboard_rate_limited_total{class}`. */
export type LimitClass = 'request' | 'update' | 'fanout' | 'direct';

/** What to do with a request: serve it, refuse it (`RATE_LIMITED`), or refuse it and kick. */
export type Verdict = { admitted: true } | { admitted: false; limit: LimitClass; kick: boolean; firstInWindow: boolean };

/** Requests that change what other peers see, so each one is fanned out to the room. */
const UPDATE_METHODS: ReadonlySet<string> = new Set(['updateSelf', 'setTopics', 'kick', 'setGrants']);

/** Refusals are counted over windows this long; a peer that keeps being refused is kicked. */
export const STRIKE_WINDOW_MS = 10_000;

/**
 * Token buckets of one signaling connection, one per class of request: every frame takes from
 * the request bucket, room-changing requests also from the update bucket, direct channel signals
 * from the direct bucket, and their fan-out
 * (bytes times receivers) from the fan-out bucket. Refusals are counted; too many within a
 * window means the peer persists, and the verdict says to kick it.
 */
export class RequestLimiter {
  private readonly requests: TokenBucket;
  private readonly updates: TokenBucket;
  private readonly fanoutBytes: TokenBucket;
  private readonly directSignals: TokenBucket;
  private strikes = 0;
  private windowStart = 0;

  constructor(
    private readonly limits: RequestLimits,
    now: number,
  ) {
    this.requests = new TokenBucket(limits.requestsPerSecond, limits.requestBurst, now);
    this.updates = new TokenBucket(limits.updatesPerSecond, limits.updateBurst, now);
    this.directSignals = new TokenBucket(limits.directSignalsPerSecond, limits.directSignalBurst, now);
    // One second of fan-out as burst: enough for any single update, which may go into debt.
    this.fanoutBytes = new TokenBucket(limits.fanoutBytesPerSecond, limits.fanoutBytesPerSecond, now);
  }

  /** Admits one frame; `method` is undefined for frames that are not even a valid request. */
  admit(method: string | undefined, now: number): Verdict {
    if (!this.requests.take(now)) return this.refuse('request', now);
    if (method !== undefined && UPDATE_METHODS.has(method) && !this.updates.take(now)) return this.refuse('update', now);
    // Each signal costs the receiving peer a notification, so it has a bucket of its own.
    if (method === 'directSignal' && !this.directSignals.take(now)) return this.refuse('direct', now);
    return { admitted: true };
  }

  /** Admits a notification of `bytes` to `receivers` peers. */
  admitFanout(bytes: number, receivers: number, now: number): Verdict {
    if (receivers > 0 && !this.fanoutBytes.take(now, bytes * receivers)) return this.refuse('fanout', now);
    return { admitted: true };
  }

  private refuse(limit: LimitClass, now: number): Verdict {
    if (now - this.windowStart >= STRIKE_WINDOW_MS) {
      this.windowStart = now;
      this.strikes = 0;
    }
    this.strikes += 1;
    const kick = this.limits.kickAfter > 0 && this.strikes >= this.limits.kickAfter;
    return { admitted: false, limit, kick, firstInWindow: this.strikes === 1 };
  }
}
