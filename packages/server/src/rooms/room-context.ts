import type { StreamLimits } from '@switchboard/sdk/protocol';
import type { BusLeaveReason, RoomBusHandlers, RoomChannel } from '../cluster/room-bus.js';
import type { ServerConfig } from '../config.js';
import type { DataMetrics } from '../data/data-metrics.js';
import type { DataRouterOptions, ReceiverListener } from '../data/data-router.js';
import type { RoomTraffic } from '../data/room-traffic.js';
import type { IceServers } from '../ice/ice-servers.js';
import type { Logger } from '../log.js';
import type { RemoteProducers } from '../media/remote-producers.js';
import type { WorkerPool } from '../media/worker-pool.js';
import type { GrantForwarding } from '../cluster/remote-grants.js';
import type { WebhookSink } from '../webhooks/webhook-event.js';
import type { Room } from './room.js';

/** What the registry keeps for the rooms: the index from peer ID to room, and their bus channels. */
export interface RoomIndex {
  /** Opens the room's channel on the room bus; its traffic goes to `handlers`. */
  openChannel(room: string, handlers: RoomBusHandlers): Promise<RoomChannel>;
  indexPeer(peerId: string, room: Room): void;
  /** A peer's name or metadata changed: the cluster's record follows. */
  peerChanged(peerId: string, room: Room): void;
  /** The peer left the room (other nodes' peers hear `reason`). */
  unindexPeer(peerId: string, reason?: BusLeaveReason): void;
  /** The room closed (its last peer left, or the server is stopping). */
  removeRoom(room: Room): void;
}

/** Shared services every room uses. */
export interface RoomContext {
  readonly config: ServerConfig;
  readonly workers: WorkerPool;
  readonly registry: RoomIndex;
  readonly logger: Logger;
  readonly dataMetrics: DataMetrics;
  /** STUN/TURN servers handed to joining peers. */
  readonly iceServers: IceServers;
  /** Tracks of other nodes, in cluster mode. */
  readonly remoteProducers?: RemoteProducers | undefined;
  /** Grant changes of peers of other nodes, in cluster mode. */
  readonly remoteGrants?: GrantForwarding | undefined;
  /** Where room events go as webhooks (nowhere when none are configured). */
  readonly webhooks: WebhookSink;
}

/** The server's limits on one peer's streams, as the data plane enforces them and `join` tells them. */
export function streamLimits(config: ServerConfig): StreamLimits {
  return { maxOpen: config.maxOpenStreams, maxBytes: config.maxStreamBytes, bytesPerSecond: config.streamBytesPerSecond, burstBytes: config.streamBurstBytes };
}

/** The settings of a room's data plane, from the server's; its counts go to the node's metrics and to `traffic`. */
export function dataRouterOptions(context: RoomContext, room: string, listener: ReceiverListener, traffic: RoomTraffic): DataRouterOptions {
  const { config } = context;
  return {
    maxMessageSize: config.maxMessageSize,
    replayBufferBytes: config.replayBufferBytes,
    replayMaxAgeMs: config.reconnectGraceSeconds * 1000 + 5000,
    metrics: traffic.metrics(context.dataMetrics),
    logger: context.logger,
    sctpSendBufferBytes: config.sctpSendBufferBytes,
    listener,
    room,
    webhooks: context.webhooks,
    batch: { windowMs: config.dataBatchWindowMs, maxBytes: config.dataBatchMaxBytes },
    streams: streamLimits(config),
  };
}
