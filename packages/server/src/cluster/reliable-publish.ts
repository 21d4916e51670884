import { SwitchboardError } from '@switchboard/sdk/protocol';
import type { Logger } from '../log.js';
import { asBuffer } from '../buffers.js';
import { optionalFields } from './redis-codec.js';
import type { RedisClock } from './redis-clock.js';
import { RedisTimeout, unavailable, type RedisLink, type Script } from './redis-link.js';
import type { BusMessage, SequencedMessage } from './room-bus.js';

/** Settings of a {@link ReliablePublish}. */
export interface ReliablePublishOptions {
  link: RedisLink;
  script: Script;
  prefix: string;
  log: { maxBytes: number; maxAgeMs: number; minRetainMs: number };
  clock: RedisClock;
  /** Resolves once the node's log reader has read what Redis sent it before a failure (see StreamReader.drained). */
  drained(waitMs: number): Promise<void>;
  /**
   * Resolves true once Redis serves again and the node's reader has read `room`'s log as far as
   * it went then, or false after `limitMs` (or when the node closes).
   */
  caughtUp(room: string, limitMs: number): Promise<boolean>;
  /** How long a publish whose outcome is unknown waits for Redis to come back and tell, in ms. */
  uncertainLimitMs: number;
  /** Replicas that must hold a message before it is acknowledged (Redis WAIT; 0: none). */
  waitReplicas: number;
  logger: Logger;
}

// The part of the time limit kept for the answer's way back and a late timer: a script that runs
// by the deadline is answered well before the node gives up on it.
const ANSWER_MARGIN_MS = 250;
// How long a publish whose connection failed waits for the reader's connection to fail too.
const DRAIN_WAIT_MS = 300;

interface InFlight {
  readonly from: string;
  readonly body: Uint8Array;
  /** Its number, once this node's reader has read it from the log. */
  seq: number;
}

/**
 * Numbers reliable messages in Redis so that the answer a sender gets is the truth: a message
 * refused `UNAVAILABLE` is never delivered, and one acknowledged is in the log.
 *
 * - A frozen or overloaded Redis: every publish carries a deadline in Redis's clock; the script
 *   refuses to log a message it runs after it, and the node gives up only once the deadline has
 *   passed (plus a margin), so a publish the node reports failed can never run late.
 * - A connection that fails with a publish in flight (Redis killed, a failover): the node waits
 *   for its own log reader, whose connection fails at the same moment, to read what Redis sent
 *   before dying; a message the reader saw was logged, and is acknowledged. Else the answer
 *   waits until Redis is back and the reader has read the log as far as it goes (Redis may have
 *   logged it, and kept it in its append-only file, without telling anyone): found, it is
 *   acknowledged, else refused. Only the few publishes in flight at the failure wait so; every
 *   later one is refused at once while Redis is away.
 * - With `waitReplicas`, Redis WAIT holds the acknowledgement until that many replicas have the
 *   message, so a failover to one of them keeps every acknowledged message; the nodes' readers
 *   deliver only what the replicas have too (`ReplicaBarrier`), so a message the dead
 *   primary took with it was delivered nowhere and can be refused. A logged message is
 *   acknowledged even when the replicas are late (refusing it would be a lie: it is delivered).
 */
export class ReliablePublish {
  private readonly inFlight = new Map<string, Set<InFlight>>();
  private lateReplicas = 0;

  constructor(private readonly options: ReliablePublishOptions) {}

  /** Logs `message` in `room`'s log; resolves with its number or fails with `UNAVAILABLE`. */
  async publish(room: string, message: BusMessage): Promise<number> {
    const { link, prefix, log, clock } = this.options;
    const pending: InFlight = { from: message.from, body: message.body, seq: 0 };
    let waiting = this.inFlight.get(room);
    if (!waiting) this.inFlight.set(room, (waiting = new Set()));
    waiting.add(pending);
    try {
      const deadline = clock.deadline(link.timeoutMs, ANSWER_MARGIN_MS);
      const [seq] = (await this.options.script.runBuffer(link, [
        prefix, room, log.maxBytes, log.maxAgeMs, log.minRetainMs, Math.floor(deadline), message.from, message.body, ...optionalFields(message),
      ])) as [number, number];
      if (seq === 0) throw unavailable(new Error('Redis ran the publish after its deadline: not logged'));
      pending.seq = seq;
      await this.replicate().catch((error: unknown) => {
        // The connection failed before the replicas answered: the primary may be dead and a
        // replica promoted without the message. It is acknowledged only if a reader delivers
        // it (readers deliver only what a replica has) or Redis still holds it once it serves
        // again; refused otherwise, and then no node delivered it. (A frozen primary, a
        // timeout, keeps it: it has the message and replicates it when it thaws.)
        if (error instanceof SwitchboardError && !(error.cause instanceof RedisTimeout)) pending.seq = 0;
        throw error;
      });
      return seq;
    } catch (error) {
      if (!(error instanceof SwitchboardError) || error.code !== 'UNAVAILABLE') throw error;
      if (pending.seq === 0 && !(error.cause instanceof RedisTimeout)) {
        await this.options.drained(DRAIN_WAIT_MS);
        if (pending.seq === 0) await this.options.caughtUp(room, this.options.uncertainLimitMs);
      }
      if (pending.seq > 0) return pending.seq;
      throw error;
    } finally {
      waiting.delete(pending);
      if (waiting.size === 0) this.inFlight.delete(room);
    }
  }

  /** A message this node's reader read from `room`'s log: the outcome of its publish, if it is one of this node's. */
  read(room: string, message: SequencedMessage): void {
    const waiting = this.inFlight.get(room);
    if (!waiting) return;
    for (const pending of waiting) {
      if (pending.seq === 0 && pending.from === message.from && sameBytes(pending.body, message.body)) {
        pending.seq = message.seq;
        return;
      }
    }
  }

  private async replicate(): Promise<void> {
    const { waitReplicas, link } = this.options;
    if (waitReplicas === 0) return;
    const acked = (await link.run((client) => client.call('WAIT', waitReplicas, waitTimeoutMs(link.timeoutMs)))) as number;
    if (acked >= waitReplicas) return;
    if (this.lateReplicas++ % 1000 === 0) {
      this.options.logger.warn('replicas late: messages acknowledged before reaching them', { wanted: waitReplicas, got: acked, times: this.lateReplicas });
    }
  }
}

/** How long a `WAIT` for replicas may take: it answers by its own timeout, before the link's. */
export function waitTimeoutMs(linkTimeoutMs: number): number {
  return Math.max(1, linkTimeoutMs - ANSWER_MARGIN_MS);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && asBuffer(a).equals(b);
}
