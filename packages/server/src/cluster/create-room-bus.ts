import type { ServerConfig } from '../config.js';
import type { Logger } from '../log.js';
import { LocalRoomBus } from './local-room-bus.js';
import { redisEndpointOf } from './redis-link.js';
import { RedisRoomBus } from './redis-room-bus.js';
import type { RoomBus } from './room-bus.js';

// A reader of the log falls behind by at most this long before the bytes bound may trim past it.
const MIN_RETAIN_MS = 10_000;

/**
 * The node's room bus: the Redis one in cluster mode (`--redis-url` or `--redis-sentinels`), else the local one. The
 * Redis bus starts even if Redis is down (it reports UNAVAILABLE and connects when it can): a
 * node must not fail to start, or crash, because of Redis.
 */
export function createRoomBus(config: ServerConfig, logger: Logger): RoomBus {
  // The log keeps what a peer that resumes within the reconnect grace period may need.
  const log = { maxBytes: config.replayBufferBytes, maxAgeMs: config.reconnectGraceSeconds * 1000 + 5000 };
  const endpoint = redisEndpointOf(config);
  if (endpoint === undefined) return new LocalRoomBus(config.nodeId, log);
  return new RedisRoomBus({
    endpoint,
    timeoutMs: config.redisTimeoutMs,
    waitReplicas: config.redisWaitReplicas,
    nodeId: config.nodeId,
    heartbeatMs: config.clusterHeartbeatMs,
    nodeTtlMs: config.clusterNodeTtlMs,
    log: { ...log, minRetainMs: MIN_RETAIN_MS },
    lingerMs: log.maxAgeMs,
    logger,
  });
}
