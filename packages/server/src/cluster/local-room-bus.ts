import { ReplayLog } from '../data/replay-log.js';
import type { HistoryPolicy } from '../history/history-policy.js';
import { HistoryStore } from '../history/history-store.js';
import type { BusHealth, BusLeaveReason, BusMessage, BusPeer, HistorySnapshot, RoomBus, RoomBusHandlers, RoomChannel, SequencedMessage } from './room-bus.js';

/** Bounds of each room's reliable log. */
export interface LogLimits {
  maxBytes: number;
  maxAgeMs: number;
}

/**
 * The room bus of a single node, in memory: no Redis, nothing shared. Sequencing, the replay log
 * and membership are what one process has always kept for itself; every call answers at once.
 */
export class LocalRoomBus implements RoomBus {
  private readonly channels = new Map<string, LocalChannel>();

  constructor(
    readonly nodeId: string,
    private readonly limits: LogLimits,
  ) {}

  async openRoom(room: string, handlers: RoomBusHandlers): Promise<RoomChannel> {
    if (this.channels.has(room)) throw new Error(`room "${room}" is already open on this node`);
    const channel = new LocalChannel(room, handlers, new ReplayLog(this.limits.maxBytes, this.limits.maxAgeMs), () => this.channels.delete(room));
    this.channels.set(room, channel);
    return channel;
  }

  async rooms(): Promise<string[]> {
    return [...this.channels.values()].filter((c) => c.peers().size > 0).map((c) => c.room);
  }

  async roomPeers(room: string): Promise<BusPeer[]> {
    return [...(this.channels.get(room)?.peers().values() ?? [])];
  }

  health(): BusHealth {
    return { mode: 'local', reachable: true, nodes: [this.nodeId] };
  }

  async close(): Promise<void> {
    for (const channel of [...this.channels.values()]) {
      for (const id of [...channel.peers().keys()]) await channel.removePeer(id, 'nodeLost');
      await channel.close();
    }
  }
}

class LocalChannel implements RoomChannel {
  private seq = 0;
  private readonly members = new Map<string, BusPeer>();
  private readonly kept = new HistoryStore();
  private open = true;

  constructor(
    readonly room: string,
    private readonly handlers: RoomBusHandlers,
    private readonly log: ReplayLog,
    private readonly onClose: () => void,
  ) {}

  async publishReliable(message: BusMessage): Promise<number> {
    const sequenced: SequencedMessage = { ...message, seq: ++this.seq, at: Date.now() };
    this.log.append({ seq: sequenced.seq, from: message.from, targets: message.targets, topic: message.topic, bytes: message.body, at: sequenced.at });
    this.kept.offer(sequenced);
    if (this.open) this.handlers.reliable(sequenced);
    return sequenced.seq;
  }

  publishLossy(message: BusMessage): void {
    if (this.open) this.handlers.lossy(message);
  }

  async replay(afterSeq: number): Promise<SequencedMessage[] | undefined> {
    const logged = this.log.since(afterSeq, Date.now());
    return logged?.map((m) => ({ from: m.from, targets: m.targets, topic: m.topic, body: m.bytes, seq: m.seq, at: m.at }));
  }

  async lastSeq(): Promise<number> {
    return this.seq;
  }

  async setHistoryPolicy(policy: HistoryPolicy | null, mode: 'replace' | 'ifUnset'): Promise<HistoryPolicy | null> {
    return this.kept.set(policy, mode);
  }

  async historyPolicy(): Promise<HistoryPolicy | null> {
    return this.kept.current;
  }

  async history(): Promise<HistorySnapshot> {
    return { policy: this.kept.current, kept: this.kept.messages, lastSeq: this.seq };
  }

  async putPeer(peer: BusPeer): Promise<void> {
    const known = this.members.has(peer.id);
    this.members.set(peer.id, peer);
    if (!this.open) return;
    if (known) this.handlers.peerUpdated(peer);
    else this.handlers.peerJoined(peer);
  }

  async removePeer(peerId: string, reason: BusLeaveReason, message?: string): Promise<boolean> {
    const peer = this.members.get(peerId);
    if (!peer) return false;
    this.members.delete(peerId);
    if (this.open) this.handlers.peerLeft(peer, reason, message);
    return true;
  }

  peers(): ReadonlyMap<string, BusPeer> {
    return this.members;
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    this.onClose();
  }
}
