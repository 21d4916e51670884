import type { Router } from 'mediasoup/types';
import { SwitchboardError } from '@switchboard/sdk/protocol';
import type { WorkerPlacement } from '../config.js';
import type { Logger } from '../log.js';
import { MEDIA_CODECS } from './media-codecs.js';
import type { MediaWorker, WorkerPool } from './worker-pool.js';

/** One of a room's routers and the worker it lives on. */
export interface PlacedRouter {
  readonly worker: MediaWorker;
  readonly router: Router;
}

/** What the room sets up on each of its routers, and undoes when one goes. */
export interface RouterSetHooks {
  /** A router was created; resolves once the room's objects on it (data plane) are ready. */
  opened(placed: PlacedRouter): Promise<void>;
  /** A router is gone: closed because no peer used it any more, or because its worker died. */
  closed(placed: PlacedRouter, workerDied: boolean): void;
}

/** Settings of a room's router set. */
export interface RouterSetOptions {
  readonly pool: WorkerPool;
  readonly placement: WorkerPlacement;
  /** How long {@link RouterSet.forPeer} waits for a live worker. */
  readonly waitMs: number;
  readonly hooks: RouterSetHooks;
  readonly logger: Logger;
}

// Routers a placement tries to open before giving up with UNAVAILABLE.
const OPEN_ATTEMPTS = 3;

interface Entry {
  readonly worker: MediaWorker;
  readonly ready: Promise<PlacedRouter>;
  placed: PlacedRouter | undefined;
  /** Peers whose transports are on this router; at zero the router closes. */
  holders: number;
}

/**
 * Which routers a room has, on which workers, and which one a new peer's transports go to. A
 * router is created on a worker when the first peer is placed there and closed when its last
 * peer goes; a worker that dies takes its routers with it, and only the peers on them resume.
 */
export class RouterSet {
  private readonly entries = new Map<MediaWorker, Entry>();
  private turn = 0;
  private closed = false;

  constructor(private readonly options: RouterSetOptions) {}

  /**
   * The router for a new peer's transports, on a worker chosen by the placement policy,
   * waiting (bounded) for a live worker if none is; the caller holds it until {@link release}.
   * Rejects with `UNAVAILABLE` when no worker comes up in time.
   */
  async forPeer(): Promise<PlacedRouter> {
    for (let attempt = 1; ; attempt++) {
      await this.options.pool.waitForLive(this.options.waitMs);
      const entry = this.entryOn(this.pick());
      entry.holders++;
      try {
        return await entry.ready;
      } catch (error) {
        // Typically the worker died before the pool noticed: the next pick skips it.
        entry.holders--;
        if (attempt >= OPEN_ATTEMPTS) throw new SwitchboardError('UNAVAILABLE', 'could not open a router on a media worker; try again shortly', { cause: error });
      }
    }
  }

  /** A peer no longer uses `placed`; the router closes when nobody does. */
  release(placed: PlacedRouter): void {
    const entry = this.entries.get(placed.worker);
    if (!entry || entry.placed !== placed) return;
    entry.holders--;
    if (entry.holders <= 0) placed.router.close();
  }

  /** The routers ready for use. */
  list(): PlacedRouter[] {
    return [...this.entries.values()].flatMap((entry) => (entry.placed ? [entry.placed] : []));
  }

  /** PIDs of the workers the room uses. */
  workerPids(): number[] {
    return [...this.entries.keys()].map(({ worker }) => worker.pid);
  }

  /** Closes every router (the room is closing). */
  close(): void {
    this.closed = true;
    for (const entry of [...this.entries.values()]) entry.placed?.router.close();
  }

  private pick(): MediaWorker {
    const live = this.options.pool.live();
    if (this.options.placement === 'spread') return live[this.turn++ % live.length] as MediaWorker;
    let best = live[0] as MediaWorker;
    for (const worker of live) if (worker.load < best.load) best = worker;
    return best;
  }

  private entryOn(worker: MediaWorker): Entry {
    const existing = this.entries.get(worker);
    if (existing) return existing;
    const entry: Entry = { worker, ready: this.open(worker), placed: undefined, holders: 0 };
    this.entries.set(worker, entry);
    entry.ready.then(
      (placed) => (entry.placed = placed),
      () => this.entries.get(worker) === entry && this.entries.delete(worker),
    );
    return entry;
  }

  private async open(worker: MediaWorker): Promise<PlacedRouter> {
    const router = await worker.worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    countLoad(worker, router);
    const placed: PlacedRouter = { worker, router };
    router.observer.once('close', () => {
      // The worker's entry is this router's, ready or (placed still unset) still opening.
      const entry = this.entries.get(worker);
      if (entry && (entry.placed ?? placed) === placed) this.entries.delete(worker);
      const died = worker.worker.died;
      if (died && !this.closed) this.options.logger.warn('a worker of the room died; its peers resume on a live one', { pid: worker.worker.pid });
      this.options.hooks.closed(placed, died);
    });
    try {
      await this.options.hooks.opened(placed);
    } catch (error) {
      router.close();
      throw error;
    }
    if (this.closed) router.close();
    return placed;
  }
}

// A worker's load is what costs it work: transports and the consumers on them, of every room.
function countLoad(worker: MediaWorker, router: Router): void {
  router.observer.on('newtransport', (transport) => {
    worker.load++;
    transport.observer.once('close', () => worker.load--);
    transport.observer.on('newconsumer', (consumer) => {
      worker.load++;
      consumer.observer.once('close', () => worker.load--);
    });
  });
}
