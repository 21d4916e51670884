import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { SwitchboardError, type ErrorCode } from '@switchboard/sdk/protocol';
import type { Logger } from '../log.js';
import { connectRedis, RedisLink, unavailable, type RedisEndpoint } from './redis-link.js';

/** Answers one kind of request from another node; a thrown SwitchboardError reaches the caller typed. */
export type RequestHandler = (from: string, body: unknown) => Promise<unknown>;
/** Takes one kind of one-way note from another node. */
export type NoteHandler = (from: string, body: unknown) => void;

/** Settings of a {@link NodeRequests}. */
export interface NodeRequestsOptions {
  endpoint: RedisEndpoint;
  /** How long a Redis command may go unanswered, in ms. */
  redisTimeoutMs: number;
  nodeId: string;
  /** Prefix of the channels (default `sb:`), the bus's. */
  keyPrefix?: string;
  /** How long a request waits for its answer before failing with `UNAVAILABLE`, in ms. */
  timeoutMs?: number;
  logger: Logger;
}

type Frame =
  | { t: 'req'; id: string; from: string; kind: string; body: unknown }
  | { t: 'res'; id: string; ok: true; body: unknown }
  | { t: 'res'; id: string; ok: false; code: ErrorCode; message: string }
  | { t: 'note'; from: string; kind: string; body: unknown };

interface Waiting {
  resolve(body: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Requests and one-way notes between nodes, over Redis pub/sub: each node listens on its own
 * channel, a request names the node that asked so the answer goes back to its channel. Nothing
 * is queued: a request to a node that is gone fails with `UNAVAILABLE` after the timeout.
 */
export class NodeRequests {
  readonly nodeId: string;
  private readonly prefix: string;
  private readonly command: Redis;
  private readonly subscriber: Redis;
  private readonly requestHandlers = new Map<string, RequestHandler>();
  private readonly noteHandlers = new Map<string, NoteHandler>();
  private readonly waiting = new Map<string, Waiting>();
  /** Whether the last subscription of this node's channel succeeded. */
  private listening = Promise.resolve(false);
  private closed = false;

  constructor(private readonly options: NodeRequestsOptions) {
    this.nodeId = options.nodeId;
    this.prefix = options.keyPrefix ?? 'sb:';
    this.command = connectRedis(options.endpoint, `switchboard:${this.nodeId}:requests`);
    this.subscriber = connectRedis(options.endpoint, `switchboard:${this.nodeId}:requests-in`);
    this.subscriber.on('message', (_channel: string, message: string) => this.received(message));
    // Subscribed on every (re)connection: with no offline queue, a subscription made while
    // disconnected fails, and one made before a Redis restart is gone with it.
    this.subscriber.on('ready', () => {
      this.listening = this.subscriber.subscribe(this.channelOf(this.nodeId)).then(
        () => true,
        () => false,
      );
    });
    this.subscriber.on('close', () => (this.listening = Promise.resolve(false)));
  }

  /** Resolves once this node listens for requests, or rejects with `UNAVAILABLE` after `timeoutMs`. */
  async ready(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.listening) || !(this.command.status === 'ready')) {
      if (Date.now() > deadline) throw unavailable();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Serves requests of `kind`. */
  onRequest(kind: string, handler: RequestHandler): void {
    this.requestHandlers.set(kind, handler);
  }

  /** Takes notes of `kind`. */
  onNote(kind: string, handler: NoteHandler): void {
    this.noteHandlers.set(kind, handler);
  }

  /** Asks `node`; rejects with its typed error, or `UNAVAILABLE` if Redis or the node does not answer. */
  async request(node: string, kind: string, body: unknown): Promise<unknown> {
    if (this.closed) throw unavailable();
    const id = randomUUID();
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new SwitchboardError('UNAVAILABLE', `node ${node} did not answer`));
      }, this.options.timeoutMs ?? 5000);
      this.waiting.set(id, { resolve, reject, timer });
    });
    try {
      await this.send(node, { t: 'req', id, from: this.nodeId, kind, body });
    } catch (error) {
      this.settle(id)?.reject(error as Error);
    }
    return answer;
  }

  /** Tells `node` something; lost if Redis or the node is down (the receiver must cope). */
  note(node: string, kind: string, body: unknown): void {
    if (this.closed) return;
    this.send(node, { t: 'note', from: this.nodeId, kind, body }).catch((error: unknown) => this.options.logger.debug('node note lost', { node, kind, error }));
  }

  /** Stops listening; pending requests fail with `UNAVAILABLE`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.waiting.keys()]) this.settle(id)?.reject(unavailable());
    this.subscriber.disconnect();
    this.command.disconnect();
  }

  private channelOf(node: string): string {
    return `${this.prefix}node:${node}:requests`;
  }

  private async send(node: string, frame: Frame): Promise<void> {
    await new RedisLink(this.command, this.options.redisTimeoutMs).run((client) => client.publish(this.channelOf(node), JSON.stringify(frame)));
  }

  private settle(id: string): Waiting | undefined {
    const waiting = this.waiting.get(id);
    if (!waiting) return undefined;
    this.waiting.delete(id);
    clearTimeout(waiting.timer);
    return waiting;
  }

  private received(message: string): void {
    let frame: Frame;
    try {
      frame = JSON.parse(message) as Frame;
    } catch (error) {
      this.options.logger.warn('undecodable node request dropped', { error });
      return;
    }
    if (frame.t === 'res') {
      const waiting = this.settle(frame.id);
      if (!waiting) return;
      if (frame.ok) waiting.resolve(frame.body);
      else waiting.reject(new SwitchboardError(frame.code, frame.message));
    } else if (frame.t === 'note') {
      const handler = this.noteHandlers.get(frame.kind);
      try {
        handler?.(frame.from, frame.body);
      } catch (error) {
        this.options.logger.warn('node note failed', { kind: frame.kind, from: frame.from, error });
      }
    } else if (frame.t === 'req') {
      void this.answer(frame);
    }
  }

  private async answer(frame: Extract<Frame, { t: 'req' }>): Promise<void> {
    const handler = this.requestHandlers.get(frame.kind);
    let reply: Frame;
    try {
      if (!handler) throw new SwitchboardError('UNSUPPORTED', `this node serves no "${frame.kind}" requests`);
      reply = { t: 'res', id: frame.id, ok: true, body: await handler(frame.from, frame.body) };
    } catch (error) {
      const typed = error instanceof SwitchboardError ? error : new SwitchboardError('INTERNAL', 'the request failed on the other node');
      if (!(error instanceof SwitchboardError)) this.options.logger.error('node request failed', { kind: frame.kind, from: frame.from, error });
      reply = { t: 'res', id: frame.id, ok: false, code: typed.code, message: typed.message };
    }
    await this.send(frame.from, reply).catch((error: unknown) => this.options.logger.debug('node answer lost', { to: frame.from, error }));
  }
}
