import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { withTimeout } from './time.js';

/** The calls a child answers: for each name, what it takes and what it replies. */
export type CallMap = Record<string, { request: unknown; reply: unknown }>;

/** A handler for every call of `C`, in the child. */
export type CallHandlers<C extends CallMap> = { [K in keyof C]: (request: C[K]['request']) => Promise<C[K]['reply']> };

interface RequestMessage {
  id: number;
  call: string;
  request: unknown;
}

interface ReplyMessage {
  id: number;
  reply?: unknown;
  error?: string;
}

const EXIT_TIMEOUT_MS = 10_000;

/**
 * A TypeScript module run in a child Node process (with tsx and the `source` condition, as the
 * benchmarks run), answering typed calls over IPC. Peers in a child keep their event-loop turns
 * and CPU apart from the bench process, so each can be measured from /proc by its PID.
 */
export class ChildHost<C extends CallMap> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (reply: unknown) => void; reject: (error: Error) => void }>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly label: string,
  ) {
    child.on('message', (message: ReplyMessage) => {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(`${label}: ${message.error}`));
      else waiter?.resolve(message.reply);
    });
    child.once('exit', (code, signal) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`${label} exited (code ${code}, signal ${signal})`));
      this.pending.clear();
    });
  }

  /** Forks `entry` (a path to a .ts module that calls {@link serveCalls}); `label` names it in errors. */
  static start<C extends CallMap>(entry: string, label: string): ChildHost<C> {
    const child = fork(entry, { execArgv: ['--conditions=source', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new ChildHost<C>(child, label);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Calls `call` in the child; rejects if it does not answer within `timeoutMs`. */
  call<K extends keyof C & string>(call: K, request: C[K]['request'], timeoutMs: number): Promise<C[K]['reply']> {
    const id = this.nextId++;
    const replied = new Promise<C[K]['reply']>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (reply: unknown) => void, reject });
      this.child.send({ id, call, request } satisfies RequestMessage);
    });
    return withTimeout(replied, timeoutMs, `${this.label}'s answer to ${call}`).finally(() => this.pending.delete(id));
  }

  /** Disconnects, which makes the child clean up and exit; kills it if it has not within 10 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
    if (this.child.connected) this.child.disconnect();
    await exited;
    clearTimeout(timer);
  }

  /** Kills the child at once (for a watchdog: no cleanup in the child). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/**
 * The child's side: answers the parent's calls with `handlers`. When the parent disconnects (or
 * dies), runs `cleanup` and exits explicitly: a Node process left to exit with live wrtc objects
 * can crash in a finalizer.
 */
export function serveCalls<C extends CallMap>(handlers: CallHandlers<C>, cleanup: () => Promise<void>): void {
  process.on('message', (message: RequestMessage) => {
    const handler = handlers[message.call] as ((request: unknown) => Promise<unknown>) | undefined;
    if (handler === undefined) {
      process.send!({ id: message.id, error: `no call ${message.call}` } satisfies ReplyMessage);
      return;
    }
    handler(message.request).then(
      (reply) => process.send!({ id: message.id, reply } satisfies ReplyMessage),
      (error: unknown) => process.send!({ id: message.id, error: String(error) } satisfies ReplyMessage),
    );
  });
  process.once('disconnect', () => {
    void cleanup()
      .catch((error: unknown) => console.error(error))
      .finally(() => process.exit(0));
  });
}
