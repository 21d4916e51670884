import { decodePeer, encodeLossy, encodePeer, lossMarker, parseEntry, type MembershipEvent } from './redis-codec.js';
import { unavailable, type RedisLink, type Script } from './redis-link.js';
import type { ReliablePublish } from './reliable-publish.js';
import type * as scripts from './redis-scripts.js';
import { historyKeeps, type HistoryPolicy } from '../history/history-policy.js';
import type { BusLeaveReason, BusMessage, BusPeer, HistorySnapshot, RoomBusHandlers, RoomChannel, SequencedMessage } from './room-bus.js';

/** What a channel needs from its bus. */
export interface ChannelContext {
  readonly nodeId: string;
  readonly prefix: string;
  readonly link: RedisLink;
  /** How each reliable message is numbered, with a known outcome. */
  readonly publisher: ReliablePublish;
  readonly log: { maxBytes: number; maxAgeMs: number; minRetainMs: number };
  readonly lingerMs: number;
  /** How long a node may stay silent before it counts as dead. */
  readonly nodeTtlMs: number;
  readonly scripts: { [K in keyof typeof scripts]: Script };
  /** Whether Redis is usable now; operations fail with `UNAVAILABLE` when not. */
  reachable(): boolean;
  /** Stops delivering the room's traffic to this channel. */
  detach(channel: RedisRoomChannel): Promise<void>;
}

// How long putPeer/removePeer wait for their own event to come back before resolving anyway
// (the event is then late, or lost and made up for by the next resync).
const OWN_EVENT_WAIT_MS = 2000;

/**
 * One room on one node of a Redis cluster. Members are a local view kept up to date by the
 * room's membership events; each event carries the room's membership version, so the view can
 * be ordered against a snapshot (at open, and after a missed event) without losing or repeating
 * a change: every node reports each join and each leave exactly once.
 */
export class RedisRoomChannel implements RoomChannel {
  private readonly members = new Map<string, BusPeer>();
  /**
   * This node's own members as it last registered them, whatever Redis said: after an outage
   * they are registered again from here (a registration that failed meanwhile included).
   */
  private readonly own = new Map<string, BusPeer>();
  /** Own members removed while Redis was unreachable: removed there once it is back. */
  private readonly departed = new Map<string, BusLeaveReason>();
  /** Version of the membership the view reflects; undefined while a snapshot is being taken. */
  private version: number | undefined;
  private pending: MembershipEvent[] = [];
  private readonly waiters = new Set<{ version: number; resolve: () => void }>();
  private open = true;
  /** Highest sequence number this node was given by `publishReliable`. */
  lastPublished = 0;

  constructor(
    readonly room: string,
    private readonly handlers: RoomBusHandlers,
    private readonly context: ChannelContext,
  ) {}

  get eventsChannel(): string {
    return `${this.context.prefix}room:${this.room}:events`;
  }

  get lossyChannel(): string {
    return `${this.context.prefix}room:${this.room}:lossy`;
  }

  async publishReliable(message: BusMessage): Promise<number> {
    this.ensureReachable();
    const seq = await this.context.publisher.publish(this.room, message);
    this.lastPublished = Math.max(this.lastPublished, seq);
    return seq;
  }

  publishLossy(message: BusMessage): void {
    if (!this.open) return;
    this.handlers.lossy(message);
    if (!this.context.reachable()) return;
    this.context.link.client.publish(this.lossyChannel, encodeLossy(this.context.nodeId, message)).catch(() => undefined);
  }

  async replay(afterSeq: number): Promise<SequencedMessage[] | undefined> {
    this.ensureReachable();
    const [last, entries] = (await this.context.scripts.REPLAY.runBuffer(this.context.link, [this.context.prefix, this.room, afterSeq])) as [
      number,
      [Buffer, Buffer[]][],
    ];
    if (afterSeq >= last) return [];
    // Complete only if every number after afterSeq is there, or was never given (a loss marker's jump).
    const messages: SequencedMessage[] = [];
    let expected = afterSeq + 1;
    for (const [id, fields] of entries) {
      const marker = lossMarker(fields);
      const message = marker ? undefined : parseEntry(id, fields);
      const seq = message?.seq ?? Number(id.toString().split('-')[0]);
      if (marker ? marker.lostUpTo >= expected : seq !== expected) return undefined;
      if (message) messages.push(message);
      expected = seq + 1;
    }
    return messages;
  }

  async lastSeq(): Promise<number> {
    this.ensureReachable();
    const value = await this.context.link.run((client) => client.get(`${this.context.prefix}room:${this.room}:seq`));
    return Number(value ?? 0);
  }

  async setHistoryPolicy(policy: HistoryPolicy | null, mode: 'replace' | 'ifUnset'): Promise<HistoryPolicy | null> {
    this.ensureReachable();
    const { prefix, link, lingerMs } = this.context;
    const text = (await this.context.scripts.SET_HISTORY_POLICY.run(link, [prefix, this.room, mode, JSON.stringify(policy), lingerMs])) as string;
    return JSON.parse(text) as HistoryPolicy | null;
  }

  async historyPolicy(): Promise<HistoryPolicy | null> {
    this.ensureReachable();
    const text = await this.context.link.run((client) => client.get(`${this.context.prefix}room:${this.room}:hpolicy`));
    return text === null ? null : (JSON.parse(text) as HistoryPolicy | null);
  }

  // The stream holds what the policy in force when each message came matched; a replaced policy
  // applies here at once, and to what is stored from the next message on.
  async history(): Promise<HistorySnapshot> {
    this.ensureReachable();
    const [text, last, entries] = (await this.context.scripts.READ_HISTORY.runBuffer(this.context.link, [this.context.prefix, this.room])) as [
      Buffer | null,
      number,
      [Buffer, Buffer[]][],
    ];
    const policy = text ? (JSON.parse(text.toString()) as HistoryPolicy | null) : null;
    const kept = policy ? entries.map(([id, fields]) => parseEntry(id, fields)).filter((m) => historyKeeps(policy, m.type, m.topic, m.targets !== undefined)) : [];
    return { policy, kept, lastSeq: Number(last) };
  }

  async putPeer(peer: BusPeer): Promise<void> {
    if (peer.node === this.context.nodeId && this.open) this.own.set(peer.id, peer);
    this.ensureReachable();
    const version = (await this.context.scripts.PUT_PEER.run(this.context.link, [
      this.context.prefix, this.room, peer.id, peer.node, encodePeer(peer),
    ])) as number;
    if (version > 0) await this.reach(version);
  }

  async removePeer(peerId: string, reason: BusLeaveReason, message?: string): Promise<boolean> {
    if (this.own.delete(peerId)) this.departed.set(peerId, reason);
    this.ensureReachable();
    const version = (await this.context.scripts.REMOVE_PEER.run(this.context.link, [
      this.context.prefix, this.room, peerId, reason, this.context.lingerMs, message ?? '',
    ])) as number;
    this.departed.delete(peerId);
    if (version === 0) return false;
    await this.reach(version);
    return true;
  }

  peers(): ReadonlyMap<string, BusPeer> {
    return this.members;
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters.clear();
    await this.context.detach(this);
  }

  /** This node's own members (to register again after Redis lost them). */
  ownPeers(): BusPeer[] {
    return [...this.own.values()];
  }

  /**
   * Registers this node's members again and removes those that left meanwhile, straight
   * through the scripts (the bus is not usable yet while it recovers).
   */
  async reregister(): Promise<void> {
    const { scripts: run, link, prefix, lingerMs } = this.context;
    for (const [peerId, reason] of [...this.departed]) {
      await run.REMOVE_PEER.run(link, [prefix, this.room, peerId, reason, lingerMs, '']);
      this.departed.delete(peerId);
    }
    for (const peer of this.own.values()) await run.PUT_PEER.run(link, [prefix, this.room, peer.id, peer.node, encodePeer(peer)]);
  }

  /** A membership event from the room's pub/sub channel. */
  receiveEvent(event: MembershipEvent): void {
    if (!this.open) return;
    if (this.version === undefined) {
      this.pending.push(event);
      return;
    }
    if (event.ver <= this.version) return;
    if (event.ver > this.version + 1) {
      // An event went missing (the subscription dropped for a moment): start again from a snapshot.
      this.pending.push(event);
      void this.resync().catch(() => undefined);
      return;
    }
    this.apply(event);
  }

  /** A lossy message from another node. */
  receiveLossy(node: string, message: BusMessage): void {
    if (this.open && node !== this.context.nodeId) this.handlers.lossy(message);
  }

  /** A reliable message from the node's stream reader. */
  receiveReliable(message: SequencedMessage): void {
    this.context.publisher.read(this.room, message);
    if (this.open) this.handlers.reliable(message);
  }

  /** The node's stream reader handed over every message of one read. */
  receiveReadDone(): void {
    if (this.open) this.handlers.readDone();
  }

  receiveGap(fromSeq: number, toSeq: number): void {
    if (this.open) this.handlers.gap(fromSeq, toSeq);
  }

  /**
   * Brings the view up to Redis's membership: reports who joined, changed or left meanwhile,
   * then applies the events that came during the snapshot. `open` reports nothing. `recover`
   * (Redis is back, maybe empty) does not yet report other nodes' peers as gone: their nodes
   * get one node TTL to register them again, then a second resync settles it.
   */
  async resync(mode: 'open' | 'recover' | 'gap' = 'gap'): Promise<void> {
    if (mode !== 'open' && (!this.open || this.version === undefined)) return;
    this.version = undefined;
    let snapshot: string[];
    try {
      snapshot = (await this.context.scripts.SNAPSHOT.run(this.context.link, [this.context.prefix, this.room])) as string[];
    } catch (error) {
      // Keep the view as it was; the next event, heartbeat or recovery tries again.
      this.version = 0;
      this.pending = [];
      throw error;
    }
    const [version, ...records] = snapshot as unknown as [number, ...string[]];
    const fresh = new Map(records.map((text) => {
      const peer = decodePeer(text);
      return [peer.id, peer] as const;
    }));
    const report = mode !== 'open' && this.open;
    let kept = false;
    for (const [id, peer] of [...this.members]) {
      if (fresh.has(id)) continue;
      if (mode === 'recover' && peer.node !== this.context.nodeId) {
        kept = true;
        continue;
      }
      this.members.delete(id);
      if (report) this.handlers.peerLeft(peer, 'left');
    }
    for (const [id, peer] of fresh) {
      const known = this.members.get(id);
      this.members.set(id, peer);
      if (!report) continue;
      if (!known) this.handlers.peerJoined(peer);
      else if (encodePeer(known) !== encodePeer(peer)) this.handlers.peerUpdated(peer);
    }
    this.version = version;
    const pending = this.pending.sort((a, b) => a.ver - b.ver);
    this.pending = [];
    for (const event of pending) this.receiveEvent(event);
    this.settleWaiters();
    if (kept) setTimeout(() => void this.resync('gap').catch(() => undefined), this.context.nodeTtlMs).unref();
  }

  private apply(event: MembershipEvent): void {
    this.version = event.ver;
    const { peer } = event;
    if (event.type === 'left') {
      if (this.members.delete(peer.id)) this.handlers.peerLeft(peer, event.reason ?? 'left', event.message);
    } else {
      const known = this.members.get(peer.id);
      this.members.set(peer.id, peer);
      // A peer registered again unchanged (after an outage) is no news.
      if (!known) this.handlers.peerJoined(peer);
      else if (encodePeer(known) !== encodePeer(peer)) this.handlers.peerUpdated(peer);
    }
    this.settleWaiters();
  }

  /** Resolves once the view reflects `version` (or after a bounded wait). */
  private reach(version: number): Promise<void> {
    if (!this.open || (this.version !== undefined && this.version >= version)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        version,
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.resolve, OWN_EVENT_WAIT_MS);
      this.waiters.add(waiter);
    });
  }

  private settleWaiters(): void {
    for (const waiter of [...this.waiters]) if (this.version !== undefined && this.version >= waiter.version) waiter.resolve();
  }

  private ensureReachable(): void {
    if (!this.open) throw new Error(`room "${this.room}" is closed on this node`);
    if (!this.context.reachable()) throw unavailable();
  }
}
