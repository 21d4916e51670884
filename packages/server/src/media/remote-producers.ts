import type { Producer, Router } from 'mediasoup/types';
import type { PipeRelease } from './producer-pipes.js';

/** A producer of another node made consumable on a local router. */
export interface HeldRemoteProducer {
  /** The local pipe producer: same ID and appData (peerId, name, source) as the original. */
  readonly producer: Producer;
  /** Lets go of it; the pipe closes when its last user on this node is gone. */
  readonly release: PipeRelease;
}

/**
 * Producers across nodes, as a room's media plane sees them (cluster mode only): it announces
 * the tracks published here so other nodes can pipe them, and gets other nodes' tracks piped
 * here when a local peer subscribes to one.
 */
export interface RemoteProducers {
  /** A producer published on this node in `room`; other nodes may pipe it until it closes. */
  published(room: string, producer: Producer, router: Router): void;
  /**
   * Makes `producerId`, published in `room` on another node, consumable on `router` under the
   * same ID. Rejects with `NOT_FOUND` when no node has it in that room, `UNAVAILABLE` when the
   * cluster cannot be reached.
   */
  hold(room: string, producerId: string, router: Router): Promise<HeldRemoteProducer>;
}
