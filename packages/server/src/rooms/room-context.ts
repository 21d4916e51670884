import type { ServerConfig } from '../config.js';
import type { DataMetrics } from '../data/data-metrics.js';
import type { IceServers } from '../ice/ice-servers.js';
import type { Logger } from '../log.js';
import type { RemoteProducers } from '../media/remote-producers.js';
import type { WorkerPool } from '../media/worker-pool.js';
import type { Room } from './room.js';

/** What the registry keeps for the rooms: the index from peer ID to room. */
export interface RoomIndex {
  indexPeer(peerId: string, room: Room): void;
  unindexPeer(peerId: string): void;
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
}
