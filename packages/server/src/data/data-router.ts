import type { DataConsumer, DataProducer, DirectTransport, Router, Transport } from 'mediasoup/types';
import {
  decodeOutgoing,
  encodeDelivered,
  EnvelopeKind,
  SERVER_SENDER_ID,
  SwitchboardError,
  targetList,
  type DataChannelKind,
  type DataConsumerInfo,
  type ErrorCode,
  type OutgoingEnvelope,
} from '@switchboard/sdk/protocol';
import type { Logger } from '../log.js';
import type { Peer } from '../rooms/peer.js';
import type { DataMetrics } from './data-metrics.js';
import { ReplayLog } from './replay-log.js';
import { ALL_TOPICS, Subchannels, UNTOPICED } from './subchannels.js';

const CHANNELS: readonly DataChannelKind[] = ['reliable', 'lossy'];
// Acks are batched: one notification per peer per tick of this length at most.
const ACK_DELAY_MS = 10;
// How often a paced replay checks whether the receiver's buffer has drained.
const PACE_POLL_MS = 5;

/** Settings of a room's data plane. */
export interface DataRouterOptions {
  maxMessageSize: number;
  replayBufferBytes: number;
  /** Messages older than this are useless for replay (no peer can resume that late). */
  replayMaxAgeMs: number;
  metrics: DataMetrics;
  logger: Logger;
  /** SCTP send buffer of each receiver, in bytes; replays are paced to fit in it. */
  sctpSendBufferBytes: number;
  /** What the room does about receivers that fell behind. */
  listener: ReceiverListener;
}

/** Decisions about receivers that fell behind, which belong to the room. */
export interface ReceiverListener {
  /**
   * A live reliable delivery to `peer` did not fit its SCTP send buffer and was dropped by the
   * worker. The peer must resume (and get the replay) or it would silently miss a message.
   */
  overflowed(peer: Peer): void;
  /** The log no longer holds everything `peer` missed: it cannot be caught up. */
  replayIncomplete(peer: Peer): void;
}

/** A message the server itself sends (HTTP API). */
export interface ServerMessage {
  type: string;
  payload: Uint8Array;
  to?: string[] | undefined;
  topic?: string | undefined;
  reliable: boolean;
}

/**
 * A room's data plane. Peers' DataChannels are read through a DirectTransport; each message's
 * header is checked and stamped, then sent once through a DirectTransport DataProducer with the
 * recipients' subchannels, so the worker does the fan-out. Reliable deliveries are numbered per
 * room and kept for replay to peers that resume.
 */
export class DataRouter {
  private readonly subchannels = new Subchannels();
  private readonly log: ReplayLog;
  private readonly subscriptions = new Map<Peer, number[]>();
  private readonly receivers = new Map<Peer, Record<DataChannelKind, DataConsumer>>();
  private readonly catchingUp = new Set<Peer>();
  private readonly pendingAcks = new Set<Peer>();
  private ackTimer: NodeJS.Timeout | undefined;
  private seq = 0;

  private direct!: DirectTransport;
  private producers!: Record<DataChannelKind, DataProducer>;

  private constructor(
    private readonly members: ReadonlyMap<string, Peer>,
    private readonly options: DataRouterOptions,
  ) {
    this.log = new ReplayLog(options.replayBufferBytes, options.replayMaxAgeMs);
  }

  /** Creates the data plane of a room on `router`. */
  static async create(router: Router, members: ReadonlyMap<string, Peer>, options: DataRouterOptions): Promise<DataRouter> {
    const dataRouter = new DataRouter(members, options);
    await dataRouter.attach(router);
    return dataRouter;
  }

  /**
   * (Re)creates the worker-side objects on `router`, e.g. after the room's worker died. The
   * room's numbering and replay log live here in Node and survive, so resuming peers miss nothing.
   */
  async attach(router: Router): Promise<void> {
    for (const peer of this.subscriptions.keys()) this.stopReceiving(peer);
    const direct = await router.createDirectTransport({
      maxSendMessageSize: this.options.maxMessageSize * 2 + 1024,
      maxReceiveMessageSize: this.options.maxMessageSize * 2 + 1024,
    });
    const reliable = await direct.produceData({ label: 'reliable' });
    const lossy = await direct.produceData({ label: 'lossy' });
    this.direct = direct;
    this.producers = { reliable, lossy };
  }

  /** The room's newest reliable sequence number: a joining peer has everything up to it. */
  get lastSeq(): number {
    return this.seq;
  }

  /** A subchannel for a new peer, or undefined when the room is full. */
  allocateSubchannel(): number | undefined {
    return this.subchannels.allocate();
  }

  /** Forgets a peer that left the room. */
  removePeer(peer: Peer): void {
    this.stopReceiving(peer);
    this.pendingAcks.delete(peer);
    this.subchannels.release(peer.subchannel);
  }

  /**
   * Creates the server's two DataChannels to the peer on its receive transport (a WebRTC
   * transport; benchmarks use a DirectTransport). They start subscribed to nothing: deliveries
   * wait for {@link startReceiving}, so that a replay can go first and nothing arrives out of order.
   */
  async openReceiver(peer: Peer, recv: Transport): Promise<Record<DataChannelKind, DataConsumerInfo>> {
    const consumers = {} as Record<DataChannelKind, DataConsumer>;
    const infos = {} as Record<DataChannelKind, DataConsumerInfo>;
    for (const kind of CHANNELS) {
      const consumer = await recv.consumeData({
        dataProducerId: this.producers[kind].id,
        subchannels: [],
        ...(recv.type === 'direct' ? {} : kind === 'lossy' ? { ordered: false, maxRetransmits: 0 } : { ordered: true }),
      });
      consumers[kind] = consumer;
      consumer.on('sctpsendbufferfull', () => {
        this.options.metrics.dropped.inc({ reason: 'receiver_buffer_full' });
        if (kind !== 'reliable' || !peer.receiving || this.receivers.get(peer)?.reliable !== consumer) return;
        peer.overflowed = true;
        this.options.listener.overflowed(peer);
      });
      infos[kind] = {
        id: consumer.id,
        dataProducerId: this.producers[kind].id,
        sctpStreamParameters: consumer.sctpStreamParameters as DataConsumerInfo['sctpStreamParameters'],
        label: kind,
        protocol: 'switchboard-v1',
      };
    }
    this.receivers.set(peer, consumers);
    return infos;
  }

  /**
   * Called once the peer's receive association is up: replays the reliable messages it missed
   * (after `peer.replayFrom`), paced to what its SCTP send buffer holds, then subscribes its
   * channels to live traffic. Live messages meant for it meanwhile are in the log, so the last
   * round of the replay and the subscription happen in one tick: nothing is missed or reordered.
   */
  startReceiving(peer: Peer): void {
    const consumers = this.receivers.get(peer);
    if (!consumers || consumers.reliable.closed || peer.receiving || this.catchingUp.has(peer)) return;
    this.catchingUp.add(peer);
    this.catchUp(peer, consumers).then(
      (complete) => {
        this.catchingUp.delete(peer);
        if (!complete) this.options.listener.replayIncomplete(peer);
      },
      // The connection went away mid-replay; the next resume starts over from the log.
      () => this.catchingUp.delete(peer),
    );
  }

  private async catchUp(peer: Peer, consumers: Record<DataChannelKind, DataConsumer>): Promise<boolean> {
    // The replay travels on a subchannel of its own, so live targeted messages (sent on the
    // peer's subchannel) cannot slip in between replayed ones.
    const replay = this.subchannels.allocate();
    if (replay === undefined) return false;
    try {
      void consumers.reliable.setSubchannels([replay]).catch(() => undefined);
      const caughtUpTo = await this.replay(peer, consumers.reliable, replay);
      if (caughtUpTo === undefined) return false;
      // No await since the replay found the log exhausted: live traffic takes over exactly here.
      const list = this.subchannels.subscribe(peer.subchannel, peer.topics);
      this.subscriptions.set(peer, list);
      void consumers.reliable.setSubchannels(list).catch(() => undefined);
      void consumers.lossy.setSubchannels(list).catch(() => undefined);
      peer.receiving = true;
      peer.replayFrom = caughtUpTo;
      peer.liveSince = caughtUpTo;
      return true;
    } finally {
      // Requests reach the worker in order: the peer's switch away from `replay` precedes any
      // later use of the number by another peer.
      this.subchannels.release(replay);
    }
  }

  // Sends `peer` every logged message it missed, paced to its SCTP send buffer, until the log
  // has nothing newer. Returns the room sequence number reached, or undefined if the log no
  // longer reaches back far enough.
  private async replay(peer: Peer, consumer: DataConsumer, subchannel: number): Promise<number | undefined> {
    const paced = consumer.type === 'sctp';
    const highMark = this.options.sctpSendBufferBytes / 2;
    const lowMark = highMark / 4;
    let from = peer.replayFrom;
    let inFlight = 0;
    for (;;) {
      const missed = this.log.since(from, Date.now());
      if (missed === undefined) return undefined;
      if (missed.length === 0) return from;
      for (const message of missed) {
        from = message.seq;
        if (message.from === peer.id) continue;
        if (!(message.targets ? message.targets.includes(peer.id) : this.admits(peer, message.topic))) continue;
        this.producers.reliable.send(toBuffer(message.bytes), undefined, [subchannel]);
        inFlight += message.bytes.byteLength;
        if (paced && inFlight >= highMark) {
          while ((await consumer.getBufferedAmount()) > lowMark) await sleep(PACE_POLL_MS);
          inFlight = lowMark;
        }
      }
      if (this.receivers.get(peer)?.reliable !== consumer) throw new Error('connection replaced');
    }
  }

  /** Unsubscribes a peer whose connection dropped; its later messages wait in the log. */
  stopReceiving(peer: Peer): void {
    this.receivers.delete(peer);
    const list = this.subscriptions.get(peer);
    if (list) this.subchannels.unsubscribe(list);
    this.subscriptions.delete(peer);
    peer.receiving = false;
  }

  /** Whether everything after `seq` is still in the log. */
  canReplayFrom(seq: number): boolean {
    return this.log.since(seq, Date.now()) !== undefined;
  }

  /** Changes which topics' broadcasts a peer receives. */
  setTopics(peer: Peer, topics: readonly string[] | null): void {
    peer.topics = topics === null ? null : new Set(topics);
    const consumers = this.receivers.get(peer);
    const previous = this.subscriptions.get(peer);
    if (!consumers || !previous) return;
    this.subchannels.unsubscribe(previous);
    const list = this.subchannels.subscribe(peer.subchannel, peer.topics);
    this.subscriptions.set(peer, list);
    void consumers.reliable.setSubchannels(list).catch(() => undefined);
    void consumers.lossy.setSubchannels(list).catch(() => undefined);
  }

  /** Reads a peer's DataChannel (a DataProducer on its send transport). */
  async openSender(peer: Peer, producer: DataProducer, channel: DataChannelKind): Promise<void> {
    const reader = await this.direct.consumeData({ dataProducerId: producer.id });
    reader.on('message', (message: Buffer) => this.route(peer, channel, message));
  }

  /** Checks, stamps and forwards one message from a peer. */
  route(sender: Peer, channel: DataChannelKind, bytes: Buffer): void {
    const metrics = this.options.metrics;
    metrics.messagesIn.inc({ channel });
    metrics.bytesIn.inc({ channel }, bytes.byteLength);
    let envelope: OutgoingEnvelope;
    try {
      envelope = decodeOutgoing(bytes);
    } catch (error) {
      this.reject(sender, channel, 0, 'MALFORMED', (error as Error).message);
      return;
    }
    const seq = envelope.seq;
    if (channel === 'reliable') {
      if (seq <= sender.lastAcceptedSeq) {
        metrics.dropped.inc({ reason: 'duplicate' });
        this.scheduleAck(sender);
        return;
      }
      sender.lastAcceptedSeq = seq;
      this.scheduleAck(sender);
    } else {
      sender.lastLossySeq = Math.max(sender.lastLossySeq, seq);
    }
    if (bytes.byteLength > this.options.maxMessageSize) {
      this.reject(sender, channel, seq, 'MESSAGE_TOO_LARGE', `message of ${bytes.byteLength} bytes is above the limit of ${this.options.maxMessageSize}`);
    } else if (!sender.grants.sendData) {
      this.reject(sender, channel, seq, 'PERMISSION_DENIED', 'this token does not grant sendData');
    } else if (!sender.rateLimiter.take(Date.now())) {
      this.reject(sender, channel, seq, 'RATE_LIMITED', 'too many messages; slow down');
    } else {
      try {
        this.deliver(sender.id, channel, envelope);
      } catch (error) {
        if (!(error instanceof SwitchboardError)) throw error;
        this.reject(sender, channel, seq, error.code, error.message);
      }
    }
  }

  /** Sends a message as the server; returns how many peers it is addressed to. */
  sendFromServer(message: ServerMessage): number {
    if (message.payload.byteLength > this.options.maxMessageSize) {
      throw new SwitchboardError('MESSAGE_TOO_LARGE', `payload of ${message.payload.byteLength} bytes is above the limit of ${this.options.maxMessageSize}`);
    }
    const envelope: OutgoingEnvelope = { kind: EnvelopeKind.message, seq: 0, type: message.type, data: message.payload };
    if (message.to !== undefined) envelope.to = message.to;
    if (message.topic !== undefined) envelope.topic = message.topic;
    return this.deliver(SERVER_SENDER_ID, message.reliable ? 'reliable' : 'lossy', envelope);
  }

  /** Stops the data plane (the room is closing). */
  close(): void {
    clearTimeout(this.ackTimer);
    this.direct.close();
  }

  // Throws SwitchboardError for a target that cannot receive; nothing is sent then.
  private deliver(from: string, channel: DataChannelKind, envelope: OutgoingEnvelope): number {
    const targets = envelope.to === undefined ? undefined : [...new Set(targetList(envelope.to))];
    let list: number[];
    if (targets) {
      list = targets.map((id) => {
        const target = this.members.get(id);
        if (!target) throw new SwitchboardError('UNKNOWN_TARGET', `peer ${id} is not in this room`);
        if (!target.grants.receiveData) throw new SwitchboardError('PERMISSION_DENIED', `peer ${id} does not receive data`);
        return target.subchannel;
      });
    } else if (envelope.topic === undefined) {
      list = [UNTOPICED];
    } else {
      const topicId = this.subchannels.topic(envelope.topic);
      list = topicId === undefined ? [ALL_TOPICS] : [ALL_TOPICS, topicId];
    }
    const reliable = channel === 'reliable';
    const seq = reliable ? ++this.seq : 0;
    const now = Date.now();
    const bytes = encodeDelivered({
      kind: envelope.kind,
      seq,
      from,
      serverTime: now,
      type: envelope.type,
      targeted: targets !== undefined,
      data: envelope.data,
      ...(envelope.topic === undefined ? {} : { topic: envelope.topic }),
      ...(envelope.callId === undefined ? {} : { callId: envelope.callId }),
    });
    if (reliable) {
      this.log.append({ seq, from, targets, topic: envelope.topic, bytes: new Uint8Array(bytes), at: now });
    }
    this.producers[channel].send(toBuffer(bytes), undefined, list);
    const deliveries = this.recipients(list, from, targets, envelope.topic);
    const metrics = this.options.metrics;
    metrics.messagesOut.inc({ channel }, deliveries);
    metrics.bytesOut.inc({ channel }, deliveries * bytes.byteLength);
    return targets ? targets.length : deliveries;
  }

  // Receivers reached by a send on `list`; a broadcast also reaches its sender, who drops it.
  private recipients(list: number[], from: string, targets: string[] | undefined, topic: string | undefined): number {
    const count = this.subchannels.count(list);
    if (targets) return count;
    const sender = this.members.get(from);
    return sender?.receiving && this.admits(sender, topic) ? count - 1 : count;
  }

  private admits(peer: Peer, topic: string | undefined): boolean {
    return topic === undefined || peer.topics === null || peer.topics.has(topic);
  }

  private reject(peer: Peer, channel: DataChannelKind, seq: number, code: ErrorCode, message: string): void {
    this.options.metrics.dropped.inc({ reason: code.toLowerCase() });
    peer.connection?.notify('messageRejected', { channel, seq, error: { code, message } });
  }

  private scheduleAck(peer: Peer): void {
    this.pendingAcks.add(peer);
    this.ackTimer ??= setTimeout(() => {
      this.ackTimer = undefined;
      for (const pending of this.pendingAcks) pending.connection?.notify('ack', { seq: pending.lastAcceptedSeq });
      this.pendingAcks.clear();
    }, ACK_DELAY_MS);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
