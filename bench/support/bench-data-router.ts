import { DataRouter } from '../../packages/server/src/data/data-router.js';
import { dataMetrics } from '../../packages/server/src/data/data-metrics.js';
import { Logger } from '../../packages/server/src/log.js';
import { Metrics } from '../../packages/server/src/metrics/metrics.js';
import type { Peer } from '../../packages/server/src/rooms/peer.js';
import { NO_WEBHOOKS } from '../../packages/server/src/webhooks/webhook-event.js';
import { attachLocalBus } from '../../packages/server/test/support/standalone-data.js';

const REPLAY_BYTES = 8 * 1024 * 1024;
const REPLAY_MAX_AGE_MS = 30_000;

/**
 * The real data plane of one room for the in-process ceiling bench (router-ceiling.ts): a
 * DataRouter over `members`, attached to a channel of the single-node bus as a room is (a
 * DataRouter sequences and fans out only what its channel hands back).
 */
export async function benchDataRouter(members: Map<string, Peer>): Promise<DataRouter> {
  const logger = new Logger('error');
  const data = new DataRouter(members, {
    maxMessageSize: 65536,
    replayBufferBytes: REPLAY_BYTES,
    replayMaxAgeMs: REPLAY_MAX_AGE_MS,
    metrics: dataMetrics(new Metrics()),
    logger,
    sctpSendBufferBytes: 2 * 1024 * 1024,
    batch: { windowMs: 0, maxBytes: 16_384 },
    // In-process receivers have no SCTP buffer to overflow or fall behind with.
    listener: { overflowed: () => undefined, replayIncomplete: () => undefined },
    room: 'bench',
    webhooks: NO_WEBHOOKS,
    streams: { maxOpen: 8, maxBytes: 0, bytesPerSecond: 1 << 24, burstBytes: 1 << 25 },
  });
  await attachLocalBus(data, 'bench');
  return data;
}
