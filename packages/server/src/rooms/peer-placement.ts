import { SwitchboardError } from '@switchboard/sdk/protocol';
import type { DataRouter } from '../data/data-router.js';
import { RouterSet, type PlacedRouter } from '../media/router-set.js';
import { closeTransports, type Peer } from './peer.js';
import type { RoomContext } from './room-context.js';

// Workers a join or resume tries when the one it was placed on dies under it.
const CONNECT_ATTEMPTS = 3;

// How long the send transport of a peer that dropped or left outlives its session here. The SDK
// closes its side as soon as it learns of either; closing ours first would close its outgoing
// DataChannels from this end while it may still be sending on them, and @roamhq/wrtc (the SDK's
// WebRTC in Node) can crash when a send meets a close from the other end. Meanwhile what comes
// through it is ignored.
const TRANSPORT_LINGER_MS = 2000;

/** What the placement needs of its room. */
export interface PlacementRoom {
  readonly name: string;
  /** The room's peers, connected or waiting to resume. */
  readonly members: ReadonlyMap<string, Peer>;
  readonly data: DataRouter;
  /** Whether the room is closed. */
  closed(): boolean;
}

/**
 * Where a room's peers' transports live: one router per mediasoup worker the room's peers are
 * on. It places a joining or resuming peer on a router, moves it to a live worker when its
 * worker dies under it, and lets go of the router when the peer's media ends.
 */
export class PeerPlacement {
  private readonly routers: RouterSet;
  /** Peers whose join or resume is placing their transports; a worker death retries them. */
  private readonly connecting = new Set<Peer>();
  /** Transports that linger after their peer's session (see {@link disconnect}), with the timer that closes them. */
  private readonly lingering = new Map<Peer, { close: () => void; timer: NodeJS.Timeout }>();

  constructor(
    private readonly room: PlacementRoom,
    context: RoomContext,
  ) {
    this.routers = new RouterSet({
      pool: context.workers,
      placement: context.config.workerPlacement,
      waitMs: context.config.workerWaitSeconds * 1000,
      logger: context.logger.child({ room: room.name }),
      hooks: {
        opened: (placed) => room.data.addRouter(placed.router),
        closed: (placed, workerDied) => workerDied && this.workerDied(placed),
      },
    });
  }

  /** PIDs of the mediasoup workers the room's peers are on. */
  workerPids(): number[] {
    return this.routers.workerPids();
  }

  /**
   * Places the peer's new transports on a router with `open` (which builds the join result). A
   * worker dying under it sends it to a live one; it never surfaces as INTERNAL.
   */
  async connect<T>(peer: Peer, open: (home: PlacedRouter) => Promise<T>): Promise<T> {
    const connection = peer.connection;
    this.connecting.add(peer);
    try {
      for (let attempt = 1; ; attempt++) {
        const home = await this.routers.forPeer();
        // The peer may have left, or resumed on another connection, while it waited for a worker.
        if (!this.room.members.has(peer.id) || peer.connection !== connection || this.room.closed()) {
          this.routers.release(home);
          throw new SwitchboardError('NOT_FOUND', 'the session ended while it was being connected');
        }
        peer.home = home;
        try {
          return await open(home);
        } catch (error) {
          if (!home.router.closed) throw error;
          this.disconnect(peer);
          if (attempt >= CONNECT_ATTEMPTS) throw new SwitchboardError('UNAVAILABLE', 'media workers keep failing; try again shortly', { cause: error });
        }
      }
    } finally {
      this.connecting.delete(peer);
    }
  }

  /**
   * Takes the peer's transports away from it and lets go of its router, which closes if nobody
   * else uses it. With `linger` (its session ended, or its signaling dropped, while its WebRTC
   * side may still be up) the send transport, which carries its own DataChannels, closes
   * {@link TRANSPORT_LINGER_MS} later; the caller has ended its tracks. Transports still lingering
   * from before close at once: the peer is back (a resume), so its SDK closed them on its side.
   */
  disconnect(peer: Peer, linger = false): void {
    this.closeLingering(peer);
    const transports = peer.takeTransports();
    const home = peer.home;
    peer.home = undefined;
    const close = (): void => {
      closeTransports(transports);
      if (home) this.routers.release(home);
    };
    // Only a send transport lingers (its DataChannels may be mid-send); a viewer has none.
    if (!linger || !transports?.send) {
      close();
      return;
    }
    transports.recv.close();
    this.lingering.set(peer, { close, timer: setTimeout(() => this.closeLingering(peer), TRANSPORT_LINGER_MS) });
  }

  /** Closes every router, and the transports still lingering (the room is closing). */
  close(): void {
    for (const peer of [...this.lingering.keys()]) this.closeLingering(peer);
    this.routers.close();
  }

  private closeLingering(peer: Peer): void {
    const lingering = this.lingering.get(peer);
    if (!lingering) return;
    this.lingering.delete(peer);
    clearTimeout(lingering.timer);
    lingering.close();
  }

  // A worker died: only the peers on it are affected. Their sockets are dropped, so the SDK
  // resumes them onto a live worker (waiting, bounded, for the pool to respawn one), and the
  // data plane's log, which lives in Node, replays what they missed.
  private workerDied(placed: PlacedRouter): void {
    if (this.room.closed()) return;
    for (const peer of this.room.members.values()) {
      if (peer.home !== placed) continue;
      peer.home = undefined;
      this.room.data.stopReceiving(peer);
      peer.closeTransports();
      if (!this.connecting.has(peer)) peer.connection?.drop();
    }
  }
}
