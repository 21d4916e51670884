import type { StreamLimits } from '../protocol/index.js';

// The pacer keeps this share of the server's burst in reserve: the server measures chunks when
// they arrive, and the network may bunch them (a resume resends what was in flight at once).
const BURST_SHARE = 0.5;

/**
 * Paces one room's stream chunks to the server's stream byte rate, with the server's token
 * bucket rule (a take succeeds while at least one token is left, and may go into debt), so the
 * server never has to refuse a chunk of a stream this SDK sends.
 */
export class StreamPacer {
  private tokens: number | undefined;
  private updatedAt = 0;

  constructor(private readonly limits: () => StreamLimits | undefined) {}

  /** Resolves when `bytes` may be sent. */
  async take(bytes: number): Promise<void> {
    const limits = this.limits();
    if (limits === undefined) return;
    const burst = limits.burstBytes * BURST_SHARE;
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(burst, (this.tokens ?? burst) + ((now - this.updatedAt) * limits.bytesPerSecond) / 1000);
      this.updatedAt = now;
      if (this.tokens >= 1) {
        this.tokens -= bytes;
        return;
      }
      const waitMs = Math.ceil(((1 - this.tokens) * 1000) / limits.bytesPerSecond);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
