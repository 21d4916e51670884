import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { decodeLossy, decodeMembershipEvent, decodePeer } from './redis-codec.js';
import { RedisClock } from './redis-clock.js';
import { connectRedis, RedisLink, Script, unavailable, type RedisEndpoint } from './redis-link.js';
import { RedisRoomChannel, type ChannelContext } from './redis-room-channel.js';
import * as scripts from './redis-scripts.js';
import { StreamReader } from './redis-stream-reader.js';
import { ReliablePublish, waitTimeoutMs } from './reliable-publish.js';
import type { BusHealth, BusPeer, RoomBus, RoomBusHandlers, RoomChannel } from './room-bus.js';

// How far numbering jumps after Redis lost logged messages: above any number another node may
// have seen, yet within the SDK's window of remembered numbers (65,536), so nothing in flight is
// taken for old.
const LOSS_JUMP = 50_000;

/** Settings of a {@link RedisRoomBus}. */
export interface RedisBusOptions {
  /** A `redis://host:port[/db]` URL, or the sentinels that name the primary. */
  endpoint: RedisEndpoint;
  /** How long a command may go unanswered before it fails with `UNAVAILABLE` and the bus counts Redis as stalled, in ms. */
  timeoutMs: number;
  /** Replicas that must hold a reliable message before it is acknowledged (Redis WAIT; 0: none). */
  waitReplicas: number;
  nodeId: string;
  /** Prefix of every key and channel (default `sb:`), so clusters can share one Redis. */
  keyPrefix?: string;
  /** How often this node proves it is alive, in ms. */
  heartbeatMs: number;
  /** A node silent for this long is dead: its peers leave the rooms (reason `nodeLost`). */
  nodeTtlMs: number;
  /** Bounds of each room's reliable log. */
  log: { maxBytes: number; maxAgeMs: number; minRetainMs: number };
  /** How long a room's log and numbering outlive its last member, in ms. */
  lingerMs: number;
  logger: Logger;
}

/**
 * The room bus of a node in a cluster: sequencing, the reliable log and membership in Redis,
 * lossy messages and membership events over pub/sub, a heartbeat per node. Four connections:
 * commands, subscriptions, the blocking reader of the rooms' logs, and heartbeats: Redis runs a
 * connection's commands in order, and a `WAIT` (--redis-wait-replicas) holds the command
 * connection for up to its timeout when replicas are late, so a heartbeat sent there would be
 * late by as much (after a failover, every one: the promoted primary has no replica).
 *
 * While Redis is unreachable every operation fails with `UNAVAILABLE` and lossy messages reach
 * this node only. When it is back, the node registers again, raises each room's numbering to
 * what it has delivered (Redis may have restarted empty), registers its peers again and brings
 * each room's membership up to date.
 */
export class RedisRoomBus implements RoomBus {
  readonly nodeId: string;
  private readonly prefix: string;
  private readonly command: Redis;
  private readonly link: RedisLink;
  private readonly beatClient: Redis;
  private readonly beatLink: RedisLink;
  private readonly clock = new RedisClock();
  private readonly subscriber: Redis;
  private readonly reader: StreamReader;
  private readonly channels = new Map<string, RedisRoomChannel>();
  private readonly byPubSub = new Map<string, { channel: RedisRoomChannel; kind: 'events' | 'lossy' }>();
  private readonly scripts = Object.fromEntries(Object.entries(scripts).map(([name, source]) => [name, new Script(source)])) as ChannelContext['scripts'];
  private readonly context: ChannelContext;
  private readonly beating: ReturnType<typeof setInterval>;
  private liveNodes: string[] = [];
  /** Whether the bus works: connected and recovered since the last outage. */
  private usable = false;
  private recovering: Promise<void> | undefined;
  private registered = false;
  /** Whether the last state logged was reachable (undefined: nothing logged yet). */
  private reportedReachable: boolean | undefined;
  private closed = false;

  constructor(private readonly options: RedisBusOptions) {
    this.nodeId = options.nodeId;
    this.prefix = options.keyPrefix ?? 'sb:';
    this.command = connectRedis(options.endpoint, `switchboard:${this.nodeId}`);
    this.link = new RedisLink(this.command, options.timeoutMs, () => this.stalled());
    this.subscriber = connectRedis(options.endpoint, `switchboard:${this.nodeId}:subscriber`);
    this.beatClient = connectRedis(options.endpoint, `switchboard:${this.nodeId}:heartbeat`);
    this.beatLink = new RedisLink(this.beatClient, options.timeoutMs, () => this.stalled());
    const readerClient = connectRedis(options.endpoint, `switchboard:${this.nodeId}:reader`);
    const barrier = options.waitReplicas > 0 ? { replicas: options.waitReplicas, timeoutMs: waitTimeoutMs(options.timeoutMs), key: `${this.prefix}readmark` } : undefined;
    this.reader = new StreamReader(readerClient, this.command, (room) => `${this.prefix}room:${room}:log`, barrier);
    this.context = {
      nodeId: this.nodeId,
      prefix: this.prefix,
      link: this.link,
      publisher: new ReliablePublish({
        link: this.link,
        script: this.scripts.PUBLISH,
        prefix: this.prefix,
        log: options.log,
        clock: this.clock,
        drained: (waitMs) => this.reader.drained(waitMs),
        caughtUp: (room, limitMs) => this.caughtUp(room, limitMs),
        uncertainLimitMs: options.lingerMs,
        waitReplicas: options.waitReplicas,
        logger: options.logger,
      }),
      log: options.log,
      lingerMs: options.lingerMs,
      nodeTtlMs: options.nodeTtlMs,
      scripts: this.scripts,
      reachable: () => this.usable,
      detach: (channel) => this.detach(channel),
    };
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => this.received(channel.toString(), message));
    for (const client of [this.command, this.subscriber, this.beatClient]) {
      client.on('ready', () => this.connected());
      client.on('close', () => this.disconnected());
    }
    this.beating = setInterval(() => void this.beat(), options.heartbeatMs);
  }

  /** Resolves once Redis has been reached and this node registered, or rejects after `timeoutMs`. */
  async ready(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.usable) {
      if (Date.now() > deadline) throw unavailable();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async openRoom(room: string, handlers: RoomBusHandlers): Promise<RoomChannel> {
    if (!this.usable) throw unavailable();
    if (this.channels.has(room)) throw new Error(`room "${room}" is already open on this node`);
    const channel = new RedisRoomChannel(room, handlers, this.context);
    this.channels.set(room, channel);
    this.byPubSub.set(channel.eventsChannel, { channel, kind: 'events' });
    this.byPubSub.set(channel.lossyChannel, { channel, kind: 'lossy' });
    try {
      await new RedisLink(this.subscriber, this.options.timeoutMs).run((client) => client.subscribe(channel.eventsChannel, channel.lossyChannel));
      await channel.resync('open');
      const last = await this.link.run((client) => client.get(`${this.prefix}room:${room}:seq`));
      this.reader.add(room, Number(last ?? 0), {
        reliable: (message) => channel.receiveReliable(message),
        readDone: () => channel.receiveReadDone(),
        gap: (from, to) => channel.receiveGap(from, to),
      });
    } catch (error) {
      await channel.close();
      throw error;
    }
    return channel;
  }

  async rooms(): Promise<string[]> {
    if (!this.usable) throw unavailable();
    return this.link.run((client) => client.smembers(`${this.prefix}rooms`));
  }

  async roomPeers(room: string): Promise<BusPeer[]> {
    if (!this.usable) throw unavailable();
    const records = await this.link.run((client) => client.hvals(`${this.prefix}room:${room}:peers`));
    return records.map(decodePeer);
  }

  health(): BusHealth {
    return { mode: 'redis', reachable: this.usable, nodes: this.usable ? [...this.liveNodes] : [this.nodeId] };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.beating);
    for (const channel of [...this.channels.values()]) {
      if (this.usable) {
        for (const peer of channel.ownPeers()) await channel.removePeer(peer.id, 'nodeLost').catch(() => undefined);
      }
      await channel.close();
    }
    this.closed = true;
    if (this.usable) {
      await this.link.run((client) => client.multi().zrem(`${this.prefix}nodes`, this.nodeId).del(`${this.prefix}node:${this.nodeId}:peers`).exec()).catch(() => undefined);
    }
    this.usable = false;
    await this.reader.close();
    this.subscriber.disconnect();
    this.beatClient.disconnect();
    this.command.disconnect();
  }

  private async caughtUp(room: string, limitMs: number): Promise<boolean> {
    const deadline = Date.now() + limitMs;
    const waitUntil = async (condition: () => boolean) => {
      while (!condition()) {
        if (this.closed || Date.now() > deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return true;
    };
    for (;;) {
      if (!(await waitUntil(() => this.usable))) return false;
      try {
        const last = Number((await this.link.run((client) => client.get(`${this.prefix}room:${room}:seq`))) ?? 0);
        return await waitUntil(() => !this.channels.has(room) || this.reader.lastDelivered(room) >= last);
      } catch {
        // Away again: wait for the next recovery.
      }
    }
  }

  private async detach(channel: RedisRoomChannel): Promise<void> {
    if (this.channels.get(channel.room) !== channel) return;
    this.channels.delete(channel.room);
    this.byPubSub.delete(channel.eventsChannel);
    this.byPubSub.delete(channel.lossyChannel);
    this.reader.remove(channel.room);
    if (this.subscriber.status === 'ready') await this.subscriber.unsubscribe(channel.eventsChannel, channel.lossyChannel).catch(() => undefined);
  }

  private received(name: string, message: Buffer): void {
    const target = this.byPubSub.get(name);
    if (!target) return;
    try {
      if (target.kind === 'events') target.channel.receiveEvent(decodeMembershipEvent(message.toString()));
      else {
        const { node, message: lossy } = decodeLossy(message);
        target.channel.receiveLossy(node, lossy);
      }
    } catch (error) {
      this.options.logger.warn('undecodable cluster message dropped', { channel: name, error });
    }
  }

  private connected(): void {
    if (this.closed || !this.connectionsReady()) return;
    void this.recover();
  }

  // A command went unanswered: Redis is frozen or swamped. Nothing is served until a heartbeat
  // gets through again and the bus recovers.
  private stalled(): void {
    if (this.closed || !this.usable) return;
    this.options.logger.warn('Redis does not answer', { timeoutMs: this.options.timeoutMs });
    this.disconnected();
  }

  private disconnected(): void {
    if (this.closed) return;
    this.usable = false;
    if (this.reportedReachable === false) return;
    this.reportedReachable = false;
    this.options.logger.warn('Redis unreachable: cluster operations fail with UNAVAILABLE until it is back');
  }

  /**
   * Makes the bus usable again after (re)connecting: heartbeat, numbering, own peers, views.
   * One at a time; a failure leaves the bus unusable and the next heartbeat tries again.
   */
  private recover(): Promise<void> {
    this.recovering ??= (async () => {
      try {
        await this.register();
        for (const channel of this.channels.values()) {
          const seen = Math.max(this.reader.lastDelivered(channel.room), channel.lastPublished);
          const marker = (await this.scripts.SEED_SEQ.run(this.link, [this.prefix, channel.room, seen, LOSS_JUMP, this.options.lingerMs])) as number;
          if (marker > 0) this.options.logger.error('Redis lost logged messages of a room (restarted without them, or failed over to a replica that lacked them); its receivers are told', { room: channel.room, upTo: seen });
          await channel.reregister();
        }
        const wasUsable = this.registered;
        this.usable = this.connectionsReady();
        this.registered = true;
        for (const channel of this.channels.values()) await channel.resync('recover');
        if (!this.usable) return;
        this.reportedReachable = true;
        if (wasUsable) this.options.logger.info('Redis reachable again: cluster state restored', { rooms: this.channels.size });
        else this.options.logger.info('joined the cluster', { node: this.nodeId, nodes: this.liveNodes.length });
      } catch (error) {
        this.usable = false;
        this.options.logger.warn('cluster recovery failed; retrying', { error });
      } finally {
        this.recovering = undefined;
      }
    })();
    return this.recovering;
  }

  private async register(): Promise<void> {
    const [, overdue] = await this.heartbeat();
    await this.reap(overdue);
  }

  /** Records this node's heartbeat; resolves with whether it was registered anew, and the overdue nodes. */
  private async heartbeat(): Promise<[boolean, string[]]> {
    const sentAt = Date.now();
    const [added, now, ...overdue] = (await this.scripts.HEARTBEAT.run(this.beatLink, [this.prefix, this.nodeId, this.options.nodeTtlMs])) as [number, number, ...string[]];
    this.clock.sample(sentAt, Date.now(), now);
    this.liveNodes = (await this.scripts.LIVE_NODES.run(this.beatLink, [this.prefix, this.options.nodeTtlMs])) as string[];
    return [added === 1, overdue];
  }

  private async beat(): Promise<void> {
    if (this.closed || this.recovering) return;
    if (!this.usable) {
      if (this.connectionsReady()) await this.recover();
      return;
    }
    try {
      const [added, overdue] = await this.heartbeat();
      // Not registered any more: Redis restarted empty, or others declared this node dead.
      if (added) await this.recover();
      await this.reap(overdue);
    } catch (error) {
      this.options.logger.debug('heartbeat failed', { error });
    }
  }

  private connectionsReady(): boolean {
    return this.command.status === 'ready' && this.subscriber.status === 'ready' && this.beatClient.status === 'ready';
  }

  private async reap(overdue: string[]): Promise<void> {
    for (const node of overdue) {
      if (node === this.nodeId) continue;
      const removed = (await this.scripts.REAP_NODE.run(this.link, [this.prefix, node, this.options.nodeTtlMs, this.options.lingerMs])) as number;
      if (removed >= 0) this.options.logger.warn('node declared dead; its peers left', { node, peers: removed });
    }
  }
}
