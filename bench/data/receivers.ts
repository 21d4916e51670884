import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** What the receiver host counted for one run. */
export interface Collected {
  /** Messages of the run received, all receivers together. */
  count: number;
  /** When the last one arrived, as epoch ms with sub-ms precision (`performance.timeOrigin + now`). */
  lastAt: number;
  /**
   * Times an SDK receiver started reconnecting since the previous collection: the server makes
   * a receiver that fell behind resume.
   */
  resumes: number;
  /** SDK receivers whose room ended since the previous collection (they could not resume). */
  disconnects: number;
}

/** Requests to the receiver host, with what each answers. */
export interface HostCalls {
  /** Joins the room of each token through the SDK, one after another. */
  join: { request: { wsUrl: string; tokens: string[] }; reply: Record<string, never> };
  /** Answers a peer-to-peer offer; the new end counts what it receives. */
  answer: { request: { offer: string }; reply: { answer: string } };
  /**
   * Waits until `expected` messages of run `tag` (their payload's first byte) are counted,
   * `timeoutMs` passes, or none arrives for `idleMs`; answers the counts and resets them. Later
   * messages of this run or an older one are ignored.
   */
  collect: { request: { tag: number; expected: number; timeoutMs: number; idleMs: number }; reply: Collected };
  /** Leaves every room and closes every peer-to-peer end. */
  clear: { request: Record<string, never>; reply: Record<string, never> };
}

export type HostCall = keyof HostCalls;
export type HostRequestMessage = { [C in HostCall]: { id: number; call: C; request: HostCalls[C]['request'] } }[HostCall];
export type HostReplyMessage = { id: number; reply?: unknown; error?: string };

const HOST_ENTRY = fileURLToPath(new URL('./receiver-host.ts', import.meta.url));
const EXIT_TIMEOUT_MS = 10_000;

/**
 * The receiving peers of the one-to-many runs, in a child process: in the sender's process they
 * would take event-loop turns from the sender, which no real deployment has. One process for all
 * of them, as the machine has only two cores anyway; its CPU is measured like the server's.
 */
export class ReceiverHost {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (reply: unknown) => void; reject: (error: Error) => void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: HostReplyMessage) => {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(`receiver host: ${message.error}`));
      else waiter?.resolve(message.reply);
    });
    child.once('exit', (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`the receiver host exited with code ${code}`));
      this.pending.clear();
    });
  }

  static start(): ReceiverHost {
    const child = fork(HOST_ENTRY, { execArgv: ['--conditions=source', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new ReceiverHost(child);
  }

  /** The host's process ID, for a CPU meter. */
  get pid(): number {
    return this.child.pid!;
  }

  call<C extends HostCall>(call: C, request: HostCalls[C]['request']): Promise<HostCalls[C]['reply']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (reply: unknown) => void, reject });
      this.child.send({ id, call, request } as HostRequestMessage);
    });
  }

  /** Closes everything in the host, then lets it exit (it exits explicitly: see receiver-host.ts). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
    this.child.disconnect();
    await exited;
    clearTimeout(timer);
  }
}
