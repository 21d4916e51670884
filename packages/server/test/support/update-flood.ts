import { encode, type PeerMetadata } from '@switchboard/sdk/protocol';
import type { ServerConfig } from '../../src/config.js';
import { RequestFailed, type RawSignaling } from './raw-peer.js';
import { sleep } from './test-server.js';

/** Bytes a peerUpdated notification may add around the name and metadata (the server's estimate). */
export const NOTIFICATION_OVERHEAD = 128;

/** A flood's outcome: updates admitted, and how long it lasted (s). */
export interface FloodResult {
  admitted: number;
  seconds: number;
}

/**
 * Sends `updateSelf` as fast as the server admits it for `ms`: `inFlight` requests at all times,
 * a refused one tried again 20 ms later (so every refill is used within 20 ms). `metadataOf(i)`
 * gives the i-th update's metadata.
 */
export async function floodUpdateSelf(attacker: RawSignaling, metadataOf: (i: number) => PeerMetadata, ms: number, inFlight = 4): Promise<FloodResult> {
  let sent = 0;
  let admitted = 0;
  const started = Date.now();
  const worker = async () => {
    while (Date.now() - started < ms) {
      try {
        await attacker.request('updateSelf', { metadata: metadataOf(sent++) });
        admitted++;
      } catch (error) {
        if (!(error instanceof RequestFailed) || error.error.code !== 'RATE_LIMITED') throw error;
        await sleep(20);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { admitted, seconds: (Date.now() - started) / 1000 };
}

/** MessagePack bytes of a profile, as the server counts them against the fan-out budget. */
export function profileBytes(metadata: PeerMetadata): number {
  return encode({ name: undefined, metadata }).byteLength;
}

/**
 * The most updates of `bytes` each the limits let one connection make in `seconds` when each
 * reaches `receivers` other peers (docs/security.md): the update bucket's burst plus its rate,
 * and the fan-out bucket's second of burst plus its rate, over (bytes + overhead) × receivers
 * each, plus the one update that may take it into debt.
 */
export function admittedAtMost(config: ServerConfig, bytes: number, receivers: number, seconds: number): { updates: number; fanout: number } {
  const updates = Math.floor(config.updateBurst + config.updatesPerSecond * seconds) + 1;
  const cost = (bytes + NOTIFICATION_OVERHEAD) * receivers;
  const fanout = Math.floor((config.fanoutBytesPerSecond * (1 + seconds)) / cost) + 1;
  return { updates, fanout };
}
