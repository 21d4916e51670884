import type { ServerConfig } from '../config.js';
import type { Logger } from '../log.js';
import { NodePipes } from './node-pipes.js';
import { NodeRequests } from './node-requests.js';
import { redisEndpointOf } from './redis-link.js';
import type { RoomBus } from './room-bus.js';

/**
 * Media across nodes, in cluster mode, and the requests between nodes it uses
 * (grant changes use them too); a single node has none.
 */
export function createNodePipes(config: ServerConfig, bus: RoomBus, logger: Logger): { pipes: NodePipes; requests: NodeRequests; close(): void } | undefined {
  const endpoint = redisEndpointOf(config);
  if (endpoint === undefined) return undefined;
  const requests = new NodeRequests({ endpoint, redisTimeoutMs: config.redisTimeoutMs, nodeId: config.nodeId, logger });
  const pipes = new NodePipes({
    requests,
    health: () => bus.health(),
    roomPeers: (room) => bus.roomPeers(room),
    listenIp: config.pipeListenIp ?? config.rtcListenIp,
    announcedAddress: config.pipeAnnouncedAddress,
    checkMs: config.clusterHeartbeatMs,
    nodeTtlMs: config.clusterNodeTtlMs,
    logger,
  });
  return {
    pipes,
    requests,
    close: () => {
      pipes.close();
      requests.close();
    },
  };
}
