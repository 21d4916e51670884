/**
 * A token bucket: `ratePerSecond` tokens refill continuously up to `burst`. A take succeeds
 * while the bucket holds at least one token and removes `cost` tokens, which may leave it in
 * debt: one large cost (a fan-out to a big room) is never refused outright, it only delays the
 * next take until the debt is repaid. Time is passed in so tests (and the hot path) need no
 * timers.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.updatedAt = now;
  }

  /** Takes `cost` tokens if there is at least one; false means the caller is over its rate. */
  take(now: number, cost = 1): boolean {
    const elapsed = now - this.updatedAt;
    if (elapsed > 0) {
      this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSecond) / 1000);
      this.updatedAt = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= cost;
    return true;
  }
}
