import { readFile } from 'node:fs/promises';
import * as mediasoup from 'mediasoup';
import type { WebRtcServer, Worker, WorkerLogLevel } from 'mediasoup/types';
import { SwitchboardError } from '@switchboard/sdk/protocol';
import { ServerError } from '../errors.js';
import type { Logger } from '../log.js';
import { udpReceiveDrops } from './udp-drops.js';

// statm counts pages; Linux on the platforms mediasoup supports uses 4 KiB pages.
const PAGE_BYTES = 4096;

/** Health of one worker as reported by `/healthz`. */
export interface WorkerHealth {
  readonly pid: number;
  readonly alive: boolean;
}

/** A worker process with its WebRTC server (one UDP and one TCP port) and its load. */
export interface MediaWorker {
  readonly slot: number;
  readonly worker: Worker;
  readonly webRtcServer: WebRtcServer;
  /** Transports and consumers on it, of every room: new peers go to the least loaded worker. */
  load: number;
}

/** Settings shared by every worker of the pool. */
export interface WorkerPoolOptions {
  /** Number of worker processes. */
  readonly size: number;
  readonly logger: Logger;
  /** Local IP of every WebRtcServer. */
  readonly listenIp: string;
  /** A second local IP (the LAN address, for browsers that ignore loopback candidates), if any. */
  readonly lanIp?: string | undefined;
  /** Address announced in ICE candidates, if not the listen IP. */
  readonly announcedAddress?: string | undefined;
  /** First port; worker `slot` listens on `port + slot` (UDP and TCP). 0 = any free port. */
  readonly port: number;
  /** UDP socket receive and send buffer, bytes; 0 = the kernel's default. */
  readonly socketBufferBytes?: number;
  /** Level of the worker's own (C++) log. */
  readonly workerLogLevel?: WorkerLogLevel;
}

/**
 * The mediasoup worker processes. A worker that dies is replaced in its slot (same ports), so
 * one crashed worker costs only the peers it hosted, which resume on a live worker; while no
 * worker is alive (`--workers 1`), callers wait for the replacement.
 */
export class WorkerPool {
  private readonly slots: MediaWorker[] = [];
  private readonly waiters = new Set<() => void>();
  private closed = false;

  private constructor(private readonly options: WorkerPoolOptions) {}

  /** Starts `options.size` workers; rejects with `WORKER_START_FAILED` if any cannot start. */
  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    try {
      for (let slot = 0; slot < options.size; slot++) pool.slots.push(await pool.spawn(slot));
    } catch (error) {
      pool.close();
      throw error;
    }
    return pool;
  }

  /** Workers that are running, in slot order. */
  live(): MediaWorker[] {
    return this.slots.filter(({ worker }) => !worker.died && !worker.closed);
  }

  /**
   * Resolves once some worker is alive, at once if one is; rejects with `UNAVAILABLE` (a
   * retryable error) when none is within `timeoutMs`, or when the pool is closed.
   */
  async waitForLive(timeoutMs: number): Promise<void> {
    if (this.live().length > 0) return;
    if (this.closed) throw new SwitchboardError('UNAVAILABLE', 'the media server is shutting down');
    let timer: NodeJS.Timeout | undefined;
    let wake: () => void = () => undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        wake = resolve;
        this.waiters.add(wake);
        timer = setTimeout(() => reject(new SwitchboardError('UNAVAILABLE', 'no media worker is available yet; try again shortly')), timeoutMs);
      });
    } finally {
      clearTimeout(timer);
      this.waiters.delete(wake);
    }
    if (this.live().length === 0) throw new SwitchboardError('UNAVAILABLE', 'no media worker is available yet; try again shortly');
  }

  /** One entry per worker slot. */
  health(): WorkerHealth[] {
    return this.slots.map(({ worker }) => ({ pid: worker.pid, alive: !worker.closed && !worker.died }));
  }

  /** CPU seconds (user + system) each live worker has used. */
  async cpuSeconds(): Promise<{ slot: number; seconds: number }[]> {
    const live = this.live();
    return Promise.all(
      live.map(async ({ slot, worker }) => {
        const usage = await worker.getResourceUsage();
        return { slot, seconds: (usage.ru_utime + usage.ru_stime) / 1000 };
      }),
    );
  }

  /**
   * Resident memory of each live worker, from /proc (Linux): the worker's own usage report only
   * has its peak. Workers whose figure cannot be read (another OS) are left out.
   */
  async residentBytes(): Promise<{ slot: number; bytes: number }[]> {
    const live = this.live();
    const read = await Promise.all(
      live.map(async ({ slot, worker }) => {
        const statm = await readFile(`/proc/${worker.pid}/statm`, 'utf8').catch(() => undefined);
        const pages = Number(statm?.split(' ')[1]);
        return Number.isFinite(pages) ? [{ slot, bytes: pages * PAGE_BYTES }] : [];
      }),
    );
    return read.flat();
  }

  /** UDP datagrams each live worker's sockets dropped unread (Linux; see {@link udpReceiveDrops}). */
  async udpReceiveDrops(): Promise<{ slot: number; drops: number }[]> {
    const live = this.live();
    const drops = await udpReceiveDrops(live.map(({ worker }) => worker.pid));
    return live.flatMap(({ slot, worker }) => {
      const count = drops.get(worker.pid);
      return count === undefined ? [] : [{ slot, drops: count }];
    });
  }

  /** Stops every worker; idempotent. */
  close(): void {
    this.closed = true;
    for (const { worker } of this.slots) worker.close();
    for (const wake of this.waiters) wake();
  }

  private async spawn(slot: number): Promise<MediaWorker> {
    const log = this.options.logger;
    let worker: Worker;
    let webRtcServer: WebRtcServer;
    try {
      worker = await mediasoup.createWorker({ logLevel: this.options.workerLogLevel ?? 'warn', appData: { slot } });
      const port = this.options.port === 0 ? undefined : this.options.port + slot;
      const { listenIp, lanIp, announcedAddress, socketBufferBytes } = this.options;
      const buffers = socketBufferBytes ? { recvBufferSize: socketBufferBytes, sendBufferSize: socketBufferBytes } : {};
      // Candidates come in this order, the first preferred: the listen IP, then the LAN IP.
      const addresses = [{ ip: listenIp, announcedAddress }, ...(lanIp ? [{ ip: lanIp }] : [])];
      webRtcServer = await worker.createWebRtcServer({
        listenInfos: addresses.flatMap((address) => [
          { protocol: 'udp' as const, ...address, port, ...buffers },
          { protocol: 'tcp' as const, ...address, port },
        ]),
      });
    } catch (error) {
      const missing = /ENOENT/.test(String((error as NodeJS.ErrnoException).code ?? (error as Error).message));
      const hint = missing
        ? 'The worker binary is not installed: run `npx switchboard-server install-worker`.'
        : 'Check that its WebRTC port is free; if the worker binary does not run here, run `npx switchboard-server install-worker`.';
      throw new ServerError('WORKER_START_FAILED', `mediasoup worker ${slot} could not start (${(error as Error).message}). ${hint}`, { cause: error });
    }
    worker.on('died', (error) => {
      log.error('mediasoup worker died', { slot, pid: worker.pid, error });
      if (this.closed) return;
      this.spawn(slot).then(
        (replacement) => {
          this.slots[slot] = replacement;
          if (this.closed) replacement.worker.close();
          for (const wake of this.waiters) wake();
        },
        (restartError: unknown) => log.error('mediasoup worker restart failed', { slot, error: restartError }),
      );
    });
    log.info('mediasoup worker started', { slot, pid: worker.pid, version: mediasoup.version });
    return { slot, worker, webRtcServer, load: 0 };
  }
}
