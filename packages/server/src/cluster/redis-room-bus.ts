import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { decodeLossy, decodeMembershipEvent, decodePeer } from './redis-codec.js';
import { connectRedis, guarded, Script, unavailable } from './redis-link.js';
import { RedisRoomChannel, type ChannelContext } from './redis-room-channel.js';
import * as scripts from './redis-scripts.js';
import { StreamReader } from './redis-stream-reader.js';
import type { BusHealth, BusPeer, RoomBus, RoomBusHandlers, RoomChannel } from './room-bus.js';

/** Settings of a {@link RedisRoomBus}. */
export interface RedisBusOptions {
  /** `redis://host:port[/db]` */
  url: string;
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
 * lossy messages and membership events over pub/sub, a heartbeat per node. Three connections:
 * commands, subscriptions, and the blocking reader of the rooms' logs.
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
  private readonly subscriber: Redis;
  private readonly reader: StreamReader;
  private readonly channels = new Map<string, RedisRoomChannel>();
  private readonly byPubSub = new Map<string, { channel: RedisRoomChannel; kind: 'events' | 'lossy' }>();
  private readonly scripts = Object.fromEntries(Object.entries(scripts).map(([name, source]) => [name, new Script(source)])) as ChannelContext['scripts'];
  private readonly context: ChannelContext;
  private readonly heartbeat: ReturnType<typeof setInterval>;
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
    this.command = connectRedis(options.url, `switchboard:${this.nodeId}`);
    this.subscriber = connectRedis(options.url, `switchboard:${this.nodeId}:subscriber`);
    const readerClient = connectRedis(options.url, `switchboard:${this.nodeId}:reader`, { blocking: true });
    this.reader = new StreamReader(readerClient, this.command, (room) => `${this.prefix}room:${room}:log`);
    this.context = {
      nodeId: this.nodeId,
      prefix: this.prefix,
      command: this.command,
      log: options.log,
      lingerMs: options.lingerMs,
      nodeTtlMs: options.nodeTtlMs,
      scripts: this.scripts,
      reachable: () => this.usable,
      detach: (channel) => this.detach(channel),
    };
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => this.received(channel.toString(), message));
    for (const client of [this.command, this.subscriber]) {
      client.on('ready', () => this.connected());
      client.on('close', () => this.disconnected());
    }
    this.heartbeat = setInterval(() => void this.beat(), options.heartbeatMs);
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
      await guarded(() => this.subscriber.subscribe(channel.eventsChannel, channel.lossyChannel));
      await channel.resync('open');
      const last = await guarded(() => this.command.get(`${this.prefix}room:${room}:seq`));
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
    return guarded(() => this.command.smembers(`${this.prefix}rooms`));
  }

  async roomPeers(room: string): Promise<BusPeer[]> {
    if (!this.usable) throw unavailable();
    const records = await guarded(() => this.command.hvals(`${this.prefix}room:${room}:peers`));
    return records.map(decodePeer);
  }

  health(): BusHealth {
    return { mode: 'redis', reachable: this.usable, nodes: this.usable ? [...this.liveNodes] : [this.nodeId] };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.heartbeat);
    for (const channel of [...this.channels.values()]) {
      if (this.usable) {
        for (const peer of channel.ownPeers()) await channel.removePeer(peer.id, 'nodeLost').catch(() => undefined);
      }
      await channel.close();
    }
    this.closed = true;
    if (this.usable) {
      await guarded(() => this.command.multi().zrem(`${this.prefix}nodes`, this.nodeId).del(`${this.prefix}node:${this.nodeId}:peers`).exec()).catch(() => undefined);
    }
    this.usable = false;
    await this.reader.close();
    this.subscriber.disconnect();
    this.command.disconnect();
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
    if (this.closed || this.command.status !== 'ready' || this.subscriber.status !== 'ready') return;
    void this.recover();
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
          const delivered = Math.max(this.reader.lastDelivered(channel.room), channel.lastPublished);
          await this.scripts.SEED_SEQ.run(this.command, [this.prefix, channel.room, delivered]);
          await channel.reregister();
        }
        const wasUsable = this.registered;
        this.usable = this.command.status === 'ready' && this.subscriber.status === 'ready';
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
    const result = (await this.scripts.HEARTBEAT.run(this.command, [this.prefix, this.nodeId, this.options.nodeTtlMs])) as [number, ...string[]];
    this.liveNodes = (await this.scripts.LIVE_NODES.run(this.command, [this.prefix, this.options.nodeTtlMs])) as string[];
    await this.reap(result.slice(1) as string[]);
  }

  private async beat(): Promise<void> {
    if (this.closed || this.recovering) return;
    if (!this.usable) {
      if (this.command.status === 'ready' && this.subscriber.status === 'ready') await this.recover();
      return;
    }
    try {
      const [added, ...overdue] = (await this.scripts.HEARTBEAT.run(this.command, [this.prefix, this.nodeId, this.options.nodeTtlMs])) as [number, ...string[]];
      this.liveNodes = (await this.scripts.LIVE_NODES.run(this.command, [this.prefix, this.options.nodeTtlMs])) as string[];
      // Not registered any more: Redis restarted empty, or others declared this node dead.
      if (added === 1) await this.recover();
      await this.reap(overdue);
    } catch (error) {
      this.options.logger.debug('heartbeat failed', { error });
    }
  }

  private async reap(overdue: string[]): Promise<void> {
    for (const node of overdue) {
      if (node === this.nodeId) continue;
      const removed = (await this.scripts.REAP_NODE.run(this.command, [this.prefix, node, this.options.nodeTtlMs, this.options.lingerMs])) as number;
      if (removed >= 0) this.options.logger.warn('node declared dead; its peers left', { node, peers: removed });
    }
  }
}
