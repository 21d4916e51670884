/**
 * This node's estimate of Redis's clock (the scripts' only clock), from the time Redis reports in
 * each heartbeat's answer: the offset to the local clock, and how far off it may be (half the
 * round trip). Only answers that came back quickly are used: a slow one says little.
 */
export class RedisClock {
  private offset: number | undefined;
  private uncertainty = 0;

  /** A heartbeat sent at `sentAt` and answered at `receivedAt` (local ms) found Redis at `redisNow`. */
  sample(sentAt: number, receivedAt: number, redisNow: number): void {
    const half = (receivedAt - sentAt) / 2;
    if (half > 100 && this.offset !== undefined) return;
    this.offset = redisNow - (sentAt + half);
    this.uncertainty = half;
  }

  /**
   * The Redis time by which something sent now must have run for its answer to be back within
   * `withinMs` of local time, with `marginMs` for the way back and the estimate's error.
   */
  deadline(withinMs: number, marginMs: number): number {
    return Date.now() + (this.offset ?? 0) + withinMs - marginMs - this.uncertainty;
  }
}
