import { sleep } from '../support/time.js';

// A sender yields to the event loop this often while flooding: a real sender's loop would, and
// its own I/O (acks on the signaling socket, its channel's events) needs the turns.
const YIELD_EVERY = 64;

/** What a sending loop managed. */
export interface SendResult {
  sent: number;
  seconds: number;
}

/** A sending loop: calls `send` (which waits while its channel's buffer is full) some number of times. */
export type Drive = (send: () => Promise<void>) => Promise<SendResult>;

/**
 * Calls `send` `count` times at `ratePerSecond`. Slots are fixed from the start, so a late send
 * does not delay the ones after it; at high rates one timer tick sends every message due.
 */
export async function paced(send: () => unknown, ratePerSecond: number, count: number): Promise<SendResult> {
  const start = performance.now();
  let sent = 0;
  while (sent < count) {
    const due = Math.min(count, Math.floor(((performance.now() - start) * ratePerSecond) / 1000) + 1);
    for (; sent < due; sent++) await send();
    if (sent < count) await sleep(start + (sent * 1000) / ratePerSecond - performance.now());
  }
  return { sent, seconds: (performance.now() - start) / 1000 };
}

/** Calls `send` as fast as it resolves, until `maxMessages` are sent or `maxMs` has passed. */
export async function flood(send: () => Promise<void>, maxMessages: number, maxMs: number): Promise<SendResult> {
  const start = performance.now();
  let sent = 0;
  while (sent < maxMessages && performance.now() - start < maxMs) {
    await send();
    if (++sent % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return { sent, seconds: (performance.now() - start) / 1000 };
}
