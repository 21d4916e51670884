/** How long to wait between reconnect attempts: exponential, capped, with ±20 % jitter. */
export interface BackoffOptions {
  /** Delay before the second attempt, in ms (the first is immediate). Default 250. */
  initialDelayMs?: number;
  /** Longest delay, in ms. Default 5000. */
  maxDelayMs?: number;
  /** Growth per attempt. Default 2. */
  multiplier?: number;
}

/** The defaults of {@link BackoffOptions}. */
export const DEFAULT_BACKOFF: Readonly<Required<BackoffOptions>> = Object.freeze({
  initialDelayMs: 250,
  maxDelayMs: 5000,
  multiplier: 2,
});

/**
 * Delay before attempt number `attempt` (0 = the first, which does not wait). Jitter spreads out
 * the peers of a room that all lost the same server at once.
 */
export function backoffDelay(options: Required<BackoffOptions>, attempt: number): number {
  if (attempt === 0) return 0;
  const delay = Math.min(options.maxDelayMs, options.initialDelayMs * options.multiplier ** (attempt - 1));
  return Math.round(delay * (0.8 + Math.random() * 0.4));
}
