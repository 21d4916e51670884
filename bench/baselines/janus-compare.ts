// What `npm run bench:compare <ref> --janus` needs to run the Janus TextRoom baseline beside the
// two builds: the script to run (as a "build" whose driver is janus-textroom.ts, on this tree's
// Node) and how its result reads as a driver.ts result, so the same rows pick from both.
import { fileURLToPath } from 'node:url';
import type { FanoutRow, JanusResult } from './janus-textroom.js';

export const JANUS_LABEL = 'Janus TextRoom 1.1.2';

/** The Janus baseline in bench:compare's shape of a build: run `driver` in `dir`, read its last line. */
export function janusBuild(root: string): { label: string; dir: string; driver: string; netns: boolean } {
  return { label: JANUS_LABEL, dir: root, driver: fileURLToPath(new URL('./janus-textroom.ts', import.meta.url)), netns: true };
}

/**
 * A Janus run keyed like driver.ts's result. TextRoom's own default, `ack: true` (each send
 * awaits Janus's answer), stands for Switchboard's default options and `receipt: true`;
 * `ack: false` (nothing awaited but the channel's buffer) stands for `receipt: false`. Latency
 * is the same one-way measure at 200 msg/s as driver.ts's.
 */
export function janusAsDriverResult(result: unknown): Record<string, Record<string, number> | string> {
  const janus = result as JanusResult;
  const row = (fanout: FanoutRow): Record<string, number> => ({ ...fanout });
  return {
    node: janus.node,
    latency: { p50: janus.latency.p50, p99: janus.latency.p99 },
    pingPong: { p50: janus.pingPong.p50, p99: janus.pingPong.p99 },
    fanout10: row(janus.fanout10Ack),
    fanout50: row(janus.fanout50Ack),
    fanout10NoReceipt: row(janus.fanout10NoAck),
    fanout10Receipt: row(janus.fanout10Ack),
  };
}
