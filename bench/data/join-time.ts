import type { ServerProcess } from '../support/server-process.js';
import { joinRoom, leaveAll } from '../support/sdk-peer.js';
import { percentiles, type Percentiles } from '../support/stats.js';
import { withTimeout } from '../support/time.js';

/** Joins measured, one after another. */
export const JOINS = 20;
// The resident peer's broadcast period: the resolution of "first message received".
const TICK_MS = 5;
const FIRST_MESSAGE_TIMEOUT_MS = 5_000;

/** Join times in ms. */
export interface JoinTimeResult {
  /** From calling `connect()` to its promise resolving (signaling, join, transports, send channels open). */
  connect: Percentiles;
  /** From calling `connect()` to the first broadcast received: the receive side is up too. */
  firstMessage: Percentiles;
}

/**
 * Joins a room that has one other peer {@link JOINS} times (leaving after each), timing
 * `connect()` and the first message from the resident peer, which broadcasts every
 * {@link TICK_MS} ms. `connect()` waits for the outgoing channels only; the second figure shows
 * when the incoming ones deliver.
 */
export async function joinTime(server: ServerProcess): Promise<JoinTimeResult> {
  const room = 'join-time';
  const resident = await joinRoom(server.wsUrl, await server.token(room, 'resident'));
  const ticker = setInterval(() => void resident.send('tick', null).catch(() => undefined), TICK_MS);
  const connectMs: number[] = [];
  const firstMessageMs: number[] = [];
  try {
    for (let i = 0; i < JOINS; i++) {
      const token = await server.token(room, `joiner-${i}`);
      const started = performance.now();
      const joiner = await joinRoom(server.wsUrl, token);
      connectMs.push(performance.now() - started);
      try {
        const first = new Promise<number>((resolve) => joiner.once('message', () => resolve(performance.now())));
        firstMessageMs.push((await withTimeout(first, FIRST_MESSAGE_TIMEOUT_MS, `joiner ${i}'s first message`)) - started);
      } finally {
        await leaveAll([joiner]);
      }
    }
    return { connect: percentiles(connectMs), firstMessage: percentiles(firstMessageMs) };
  } finally {
    clearInterval(ticker);
    await leaveAll([resident]);
  }
}
