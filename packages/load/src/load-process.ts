import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LoadError } from './errors.js';
import type { FromWorker, ToWorker } from './ipc.js';

type Handler = (message: FromWorker) => void;

/**
 * One forked load process, seen from the coordinator: typed messages both ways, and a failure
 * (it exited before it was told to leave) reported once through `onFailure`.
 */
export class LoadProcess {
  private readonly child: ChildProcess;
  private leaving = false;
  private exited = false;
  private readonly handlers = new Set<Handler>();

  constructor(onMessage: Handler, onFailure: (error: LoadError) => void) {
    // From the sources (tests, `npm run load`) the worker is worker.ts, run by the same tsx loader.
    const source = import.meta.url.endsWith('.ts');
    const entry = fileURLToPath(new URL(source ? './worker.ts' : './worker.js', import.meta.url));
    this.child = fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    this.child.on('message', (message: FromWorker) => {
      onMessage(message);
      for (const handler of this.handlers) handler(message);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      if (!this.leaving) onFailure(new LoadError('WORKER_FAILED', `a load process exited during the run (${signal ?? `code ${code}`})`));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: ToWorker): void {
    if (!this.exited && this.child.connected) this.child.send(message);
  }

  /** The next message of `type`, or a `WORKER_FAILED` after `timeoutMs`. */
  next<T extends FromWorker['type']>(type: T, timeoutMs: number): Promise<Extract<FromWorker, { type: T }>> {
    return new Promise((resolve, reject) => {
      const handler: Handler = (message) => {
        if (message.type !== type) return;
        clearTimeout(timer);
        this.handlers.delete(handler);
        resolve(message as Extract<FromWorker, { type: T }>);
      };
      const timer = setTimeout(() => {
        this.handlers.delete(handler);
        reject(new LoadError('WORKER_FAILED', `a load process did not answer (${type}) within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.handlers.add(handler);
    });
  }

  /** Tells it to leave its rooms and exit; kills it if it has not within `timeoutMs`. */
  async stop(timeoutMs: number): Promise<void> {
    this.leaving = true;
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.send({ type: 'leave' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  /** Ends it at once (the run is aborting). */
  kill(): void {
    this.leaving = true;
    if (!this.exited) this.child.kill('SIGKILL');
  }
}
