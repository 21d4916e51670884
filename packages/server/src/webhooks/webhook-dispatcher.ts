import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import type { Counter, Metrics } from '../metrics/metrics.js';
import type { WebhookDelivery, WebhookEvent, WebhookSink } from './webhook-event.js';
import { SIGNATURE_HEADER, signWebhook } from './webhook-signature.js';

/** How webhooks are sent. */
export interface WebhookOptions {
  /** Receivers; each gets every event, in order. */
  urls: readonly string[];
  /** HMAC key of the signature header. */
  secret: string;
  /** Application message types reported as `message` events (none by default). */
  messageTypes: readonly string[];
  /** Deliveries waiting per URL, besides the one being sent; past it the oldest is dropped. */
  queueLimit: number;
  /** Attempts per delivery before it is dropped. */
  maxAttempts: number;
  /** Delay before the first retry, doubled for each later one (with jitter), in ms. */
  retryDelayMs: number;
  /** How long one POST may take, in ms. */
  timeoutMs: number;
  logger: Logger;
  metrics: Metrics;
}

/**
 * Sends room events to the configured URLs as signed JSON POSTs. Each URL has its own bounded
 * queue, delivered one at a time so a receiver sees events in order; failures (network errors,
 * timeouts, 429 and 5xx answers) are retried with exponential backoff. Nothing here is awaited
 * by a room: a slow or dead receiver costs only its own queue, and the oldest events go first
 * when that fills up.
 */
export class WebhookDispatcher implements WebhookSink {
  private readonly queues: UrlQueue[];
  private readonly messageTypes: ReadonlySet<string>;

  constructor(private readonly options: WebhookOptions) {
    this.messageTypes = new Set(options.messageTypes);
    const counters = {
      delivered: options.metrics.counter('switchboard_webhooks_delivered_total', 'Webhook deliveries the receiver accepted (2xx)'),
      dropped: options.metrics.counter('switchboard_webhooks_dropped_total', 'Webhook deliveries given up, by reason'),
      retried: options.metrics.counter('switchboard_webhooks_retries_total', 'Webhook delivery attempts that failed and were retried'),
    };
    this.queues = options.urls.map((url) => new UrlQueue(url, options, counters));
  }

  emit(event: WebhookEvent): void {
    if (this.queues.length === 0) return;
    const delivery: WebhookDelivery = { ...event, id: randomUUID(), at: Date.now() };
    const body = JSON.stringify(delivery);
    for (const queue of this.queues) queue.push(body, event.type);
  }

  wantsMessages(type: string): boolean {
    return this.messageTypes.has(type);
  }

  /** Stops taking events and waits up to `deadlineMs` for the queues to drain. */
  async close(deadlineMs: number): Promise<void> {
    const drained = Promise.all(this.queues.map((queue) => queue.drained()));
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([drained, new Promise((resolve) => (timer = setTimeout(resolve, deadlineMs)))]);
    clearTimeout(timer);
    for (const queue of this.queues) queue.stop();
  }
}

interface Counters {
  delivered: Counter;
  dropped: Counter;
  retried: Counter;
}

// One receiver: its pending deliveries and the one loop that sends them.
class UrlQueue {
  private readonly pending: { body: string; type: string }[] = [];
  private running = false;
  private stopped = false;
  private idle: (() => void)[] = [];

  constructor(
    private readonly url: string,
    private readonly options: WebhookOptions,
    private readonly counters: Counters,
  ) {}

  push(body: string, type: string): void {
    if (this.stopped) return;
    if (this.pending.length >= this.options.queueLimit) {
      const dropped = this.pending.shift();
      this.counters.dropped.inc({ reason: 'queue_full' });
      this.options.logger.warn('webhook queue full; dropping the oldest event', { url: this.url, type: dropped?.type });
    }
    this.pending.push({ body, type });
    if (!this.running) void this.run();
  }

  drained(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.pending.length = 0;
  }

  private async run(): Promise<void> {
    this.running = true;
    let next: { body: string; type: string } | undefined;
    while (!this.stopped && (next = this.pending.shift())) await this.deliver(next);
    this.running = false;
    for (const resolve of this.idle.splice(0)) resolve();
  }

  private async deliver({ body, type }: { body: string; type: string }): Promise<void> {
    const { maxAttempts, retryDelayMs } = this.options;
    for (let attempt = 1; attempt <= maxAttempts && !this.stopped; attempt++) {
      const outcome = await this.post(body);
      if (outcome === 'ok') {
        this.counters.delivered.inc();
        return;
      }
      if (outcome === 'refused') break;
      if (attempt < maxAttempts) {
        this.counters.retried.inc();
        const delay = retryDelayMs * 2 ** (attempt - 1) * (0.75 + Math.random() / 2);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    this.counters.dropped.inc({ reason: 'failed' });
    this.options.logger.warn('webhook delivery failed; dropping it', { url: this.url, type });
  }

  // 'retry' for what may pass (network errors, timeouts, 429, 5xx); 'refused' for other answers.
  private async post(body: string): Promise<'ok' | 'retry' | 'refused'> {
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(this.options.secret, timestamp, body) },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return 'ok';
      return response.status === 429 || response.status >= 500 ? 'retry' : 'refused';
    } catch {
      return 'retry';
    }
  }
}
