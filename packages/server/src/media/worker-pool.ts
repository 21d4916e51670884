import * as mediasoup from 'mediasoup';
import type { Worker, WorkerLogLevel } from 'mediasoup/types';
import { ServerError } from '../errors.js';
import type { Logger } from '../log.js';

/** Health of one worker as reported by `/healthz`. */
export interface WorkerHealth {
  readonly pid: number;
  readonly alive: boolean;
}

/** Settings shared by every worker of the pool. */
export interface WorkerPoolOptions {
  /** Number of worker processes. */
  readonly size: number;
  readonly logger: Logger;
  /** Level of the worker's own (C++) log, forwarded through mediasoup's debug module. */
  readonly workerLogLevel?: WorkerLogLevel;
}

/**
 * The mediasoup worker processes. A worker that dies is replaced, so one crashed worker costs
 * only the rooms it hosted; the others keep running.
 */
export class WorkerPool {
  private readonly workers: Worker[] = [];
  private closed = false;

  private constructor(private readonly options: WorkerPoolOptions) {}

  /** Starts `options.size` workers; rejects with `WORKER_START_FAILED` if any cannot start. */
  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    try {
      for (let i = 0; i < options.size; i++) pool.workers.push(await pool.spawn(i));
    } catch (error) {
      pool.close();
      throw error;
    }
    return pool;
  }

  /** One entry per worker slot. */
  health(): WorkerHealth[] {
    return this.workers.map((w) => ({ pid: w.pid, alive: !w.closed && !w.died }));
  }

  /** Stops every worker; idempotent. */
  close(): void {
    this.closed = true;
    for (const worker of this.workers) worker.close();
  }

  private async spawn(slot: number): Promise<Worker> {
    const log = this.options.logger;
    let worker: Worker;
    try {
      worker = await mediasoup.createWorker({
        logLevel: this.options.workerLogLevel ?? 'warn',
        appData: { slot },
      });
    } catch (error) {
      throw new ServerError(
        'WORKER_START_FAILED',
        `mediasoup worker could not start (${(error as Error).message}). ` +
          'Run `npm run setup` to build or install the worker binary.',
        { cause: error },
      );
    }
    worker.on('died', (error) => {
      log.error('mediasoup worker died', { slot, pid: worker.pid, error });
      if (this.closed) return;
      this.spawn(slot).then(
        (replacement) => {
          this.workers[slot] = replacement;
          if (this.closed) replacement.close();
        },
        (restartError: unknown) => log.error('mediasoup worker restart failed', { slot, error: restartError }),
      );
    });
    log.info('mediasoup worker started', { slot, pid: worker.pid, version: mediasoup.version });
    return worker;
  }
}
