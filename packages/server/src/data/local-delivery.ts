import type { DataConsumer, Router, Transport } from 'mediasoup/types';
import { SwitchboardError, type DataChannelKind, type DataConsumerInfo } from '@switchboard/sdk/protocol';
import { asBuffer } from '../buffers.js';
import type { Peer } from '../rooms/peer.js';
import type { DataMetrics } from './data-metrics.js';
import { FanoutBatcher, type BatchOptions } from './fanout-batcher.js';
import { checkpointBounds, ReceiverCheckpoints, resumableAfterOverflow } from './receiver-checkpoints.js';
import type { LoggedMessage } from './replay-log.js';
import type { StampedMessage } from './sequencer.js';
import { ALL_TOPICS, Subchannels, UNTOPICED } from './subchannels.js';
import { WorkerLanes } from './worker-lanes.js';
import { LOSSY_LIFETIME_MS, RECEIVER_CHANNEL_PARAMETERS } from './receiver-channels.js';
import { LossyHold } from './lossy-hold.js';

const CHANNELS: readonly DataChannelKind[] = ['reliable', 'lossy'];
// How often a paced replay checks whether the receiver's buffer has drained.
const PACE_POLL_MS = 5;
// How long a replay waits for this node to read up to where a joining peer's history ends.
const CATCH_UP_WAIT_MS = 5000;

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

/** Settings of a room's local delivery. */
export interface LocalDeliveryOptions {
  maxMessageSize: number;
  /** SCTP send buffer of each receiver, in bytes; replays are paced to fit in it. */
  sctpSendBufferBytes: number;
  /** Size of the room's replay log, in bytes: how far back a resume can reach. */
  replayBufferBytes: number;
  metrics: DataMetrics;
  listener: ReceiverListener;
  /** How live deliveries are batched. */
  batch: BatchOptions;
  /** The room's logged reliable messages after `seq` (undefined when some were evicted). */
  since(seq: number): readonly LoggedMessage[] | undefined;
  /** The newest reliable sequence number this node has. */
  lastSeq(): number;
}

/**
 * The second step of a message: fanning a stamped, numbered message out to this node's
 * receivers, once per router (worker) that has receivers for it. Also each receiver's life:
 * its DataConsumers, the replay of what it missed, its subscriptions to live traffic and the
 * checkpoints of what its send buffer accepted (see {@link ReceiverCheckpoints}).
 */
export class LocalDelivery {
  private readonly subchannels = new Subchannels();
  readonly lanes: WorkerLanes;
  private readonly batcher: FanoutBatcher;
  private readonly subscriptions = new Map<Peer, { routerId: string; list: number[] }>();
  private readonly receivers = new Map<Peer, Record<DataChannelKind, DataConsumer>>();
  private readonly catchingUp = new Set<Peer>();
  private readonly lossyHold = new LossyHold(LOSSY_LIFETIME_MS);
  private readonly checkpoints: ReceiverCheckpoints;
  /** The newest reliable room sequence number given to {@link deliver}. */
  private lastDelivered = 0;

  constructor(
    private readonly members: ReadonlyMap<string, Peer>,
    private readonly options: LocalDeliveryOptions,
  ) {
    this.lanes = new WorkerLanes(options.maxMessageSize);
    this.batcher = new FanoutBatcher(this.lanes, options.batch);
    this.checkpoints = new ReceiverCheckpoints(
      { flush: () => this.batcher.flush(), handedSeq: () => this.lastDelivered },
      checkpointBounds(options.replayBufferBytes),
    );
  }

  /** Creates the room's data objects on a new router of the room. */
  addRouter(router: Router): Promise<void> {
    return this.lanes.add(router);
  }

  /** A subchannel for a new peer, or undefined when the room is full. */
  allocateSubchannel(): number | undefined {
    return this.subchannels.allocate();
  }

  /** Returns a leaving peer's subchannel. */
  releaseSubchannel(subchannel: number): void {
    this.subchannels.release(subchannel);
  }

  /** The subchannels a message for `targets` or `topic` is sent on. */
  private listFor(targets: readonly string[] | undefined, topic: string | undefined): number[] {
    if (targets) return targets.flatMap((id) => this.members.get(id)?.subchannel ?? []);
    if (topic === undefined) return [UNTOPICED];
    const topicId = this.subchannels.topic(topic);
    return topicId === undefined ? [ALL_TOPICS] : [ALL_TOPICS, topicId];
  }

  /**
   * Fans a stamped message out to this node's receivers: one send per router with receivers
   * for it, possibly in a batch with the messages before and after it to the same receivers
   * (see {@link FanoutBatcher}). Returns the number of deliveries (for broadcasts, not counting
   * the sender).
   */
  deliver(message: StampedMessage): number {
    const count = this.fanOut(message);
    if (message.channel === 'lossy') this.lossyHold.keep(message);
    if (message.seq > 0) {
      this.lastDelivered = message.seq;
      this.checkpoints.handed(message.bytes.byteLength, count);
    }
    return count;
  }

  private fanOut(message: StampedMessage): number {
    const list = this.listFor(message.targets, message.topic);
    if (list.length === 0) return 0;
    const count = this.subchannels.count(list);
    if (message.targets) {
      this.batcher.add(message.channel, asBuffer(message.bytes), list, undefined);
      return count;
    }
    // A broadcast skips its sender in the worker (`ignoredSubchannel`): no echo crosses the
    // sender's SCTP association, and its SDK has nothing to discard.
    const sender = this.members.get(message.from);
    this.batcher.add(message.channel, asBuffer(message.bytes), list, sender?.subchannel);
    return sender?.receiving && admits(sender, message.topic) ? count - 1 : count;
  }

  /**
   * Creates the server's two DataChannels to the peer on its receive transport (a WebRTC
   * transport; benchmarks use a DirectTransport), on the peer's router. They start subscribed
   * to nothing: deliveries wait for {@link startReceiving}, so a replay can go first.
   */
  async openReceiver(peer: Peer, recv: Transport): Promise<Record<DataChannelKind, DataConsumerInfo>> {
    const routerId = routerOf(peer);
    this.lossyHold.start(peer);
    const consumers = {} as Record<DataChannelKind, DataConsumer>;
    const infos = {} as Record<DataChannelKind, DataConsumerInfo>;
    for (const kind of CHANNELS) {
      const producer = this.lanes.producer(routerId, kind);
      const consumer = await recv.consumeData({
        dataProducerId: producer.id,
        subchannels: [],
        ...(recv.type === 'direct' ? {} : RECEIVER_CHANNEL_PARAMETERS[kind]),
      });
      consumers[kind] = consumer;
      consumer.on('sctpsendbufferfull', () => {
        this.options.metrics.dropped.inc({ reason: 'receiver_buffer_full' });
        if (kind !== 'reliable') return;
        this.checkpoints.overflowed(peer, consumer);
        if (!peer.receiving || this.receivers.get(peer)?.reliable !== consumer) return;
        if (!resumableAfterOverflow(this.lastDelivered, peer.liveSince)) {
          this.options.listener.replayIncomplete(peer);
          return;
        }
        peer.overflowed = true;
        this.options.listener.overflowed(peer);
      });
      infos[kind] = {
        id: consumer.id,
        dataProducerId: producer.id,
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
      if (this.receivers.get(peer) !== consumers) throw new Error('connection replaced');
      // No await since the replay found the log exhausted: live traffic takes over exactly here.
      // What waits in the batcher is in the log, so the replay sent it: it must reach the worker
      // before the subscription, or the peer would get it a second time.
      this.batcher.flush();
      if (peer.grants.receiveData) this.subscribe(peer, consumers);
      const held = this.lossyHold.release(peer, (topic) => admits(peer, topic));
      if (peer.grants.receiveData) for (const message of held) this.batcher.add('lossy', asBuffer(message.bytes), [peer.subchannel], undefined);
      peer.receiving = true;
      peer.replayFrom = caughtUpTo;
      peer.liveSince = caughtUpTo;
      if (consumers.reliable.type === 'sctp') this.checkpoints.watch(peer, consumers.reliable);
      return true;
    } finally {
      // Requests reach the worker in order: the peer's switch away from `replay` precedes any
      // later use of the number by another peer.
      this.subchannels.release(replay);
    }
  }

  // Sends a joining peer the room's history first (numbered up to where its replay starts, so
  // nothing comes twice; see Room.join), then every logged message it missed, paced to its SCTP
  // send buffer, until the log has nothing newer. Returns the room sequence number reached, or
  // undefined if the log no longer reaches back far enough.
  private async replay(peer: Peer, consumer: DataConsumer, subchannel: number): Promise<number | undefined> {
    const send = this.pacedSender(peer, consumer, subchannel);
    const history = peer.pendingHistory;
    if (history) {
      peer.pendingHistory = undefined;
      for (const bytes of history) {
        const drained = send(bytes);
        if (drained) await drained;
      }
    }
    let from = peer.replayFrom;
    // A join's starting number may come from the bus, ahead of what this node has read: what lies
    // between is the joiner's history (or before its join), never live traffic for it.
    for (const deadline = Date.now() + CATCH_UP_WAIT_MS; this.options.lastSeq() < from && Date.now() < deadline; ) await sleep(PACE_POLL_MS);
    for (;;) {
      const missed = this.options.since(from);
      if (missed === undefined) return undefined;
      if (missed.length === 0) return from;
      for (const message of missed) {
        from = message.seq;
        if (message.from === peer.id || !peer.grants.receiveData) continue;
        if (!(message.targets ? message.targets.includes(peer.id) : admits(peer, message.topic))) continue;
        // Awaited only when pacing: otherwise the last round and the subscription share one tick.
        const drained = send(message.bytes);
        if (drained) await drained;
      }
      if (this.receivers.get(peer)?.reliable !== consumer) throw new Error('connection replaced');
    }
  }

  // Sends on the peer's replay subchannel; returns a promise to wait for when half its SCTP send
  // buffer is in flight (until it has drained), else nothing.
  private pacedSender(peer: Peer, consumer: DataConsumer, subchannel: number): (bytes: Uint8Array) => Promise<void> | undefined {
    const routerId = routerOf(peer);
    const paced = consumer.type === 'sctp';
    const highMark = this.options.sctpSendBufferBytes / 2;
    const lowMark = highMark / 4;
    let inFlight = 0;
    const drain = async (): Promise<void> => {
      while ((await consumer.getBufferedAmount()) > lowMark) await sleep(PACE_POLL_MS);
      inFlight = lowMark;
    };
    return (bytes) => {
      this.lanes.sendOn(routerId, 'reliable', asBuffer(bytes), [subchannel]);
      inFlight += bytes.byteLength;
      return paced && inFlight >= highMark ? drain() : undefined;
    };
  }

  /** Unsubscribes a peer whose connection dropped; its later messages wait in the log. */
  stopReceiving(peer: Peer): void {
    this.lossyHold.forget(peer);
    this.receivers.delete(peer);
    this.checkpoints.unwatch(peer);
    this.unsubscribe(peer);
    peer.receiving = false;
  }

  /** Changes which topics' broadcasts a receiving peer gets (`peer.topics` is already set). */
  topicsChanged(peer: Peer): void {
    const consumers = this.receivers.get(peer);
    if (!consumers || !this.subscriptions.has(peer)) return;
    this.unsubscribe(peer);
    this.subscribe(peer, consumers);
  }

  /** The messages at hand were all delivered (one read of the room's log): see {@link FanoutBatcher.inputEnded}. */
  inputEnded(): void {
    this.batcher.inputEnded();
  }

  /**
   * Its `receiveData` grant changed: live deliveries stop at once when revoked (what is sent
   * meanwhile is never delivered to it, replays included), and start again when granted back
   * to a peer that has its receive channels (one that joined without them gets them on its next join).
   */
  grantsChanged(peer: Peer): void {
    const consumers = this.receivers.get(peer);
    if (!consumers || !peer.receiving) return;
    const subscribed = this.subscriptions.has(peer);
    if (peer.grants.receiveData && !subscribed) this.subscribe(peer, consumers);
    if (peer.grants.receiveData || !subscribed) return;
    this.unsubscribe(peer);
    void consumers.reliable.setSubchannels([]).catch(() => undefined);
    void consumers.lossy.setSubchannels([]).catch(() => undefined);
  }

  /** Stops the room's data objects on every router (the room is closing). */
  close(): void {
    this.checkpoints.close();
    this.batcher.close();
    this.lanes.close();
  }

  private subscribe(peer: Peer, consumers: Record<DataChannelKind, DataConsumer>): void {
    const list = this.subchannels.subscribe(peer.subchannel, peer.topics);
    const routerId = routerOf(peer);
    this.subscriptions.set(peer, { routerId, list });
    this.lanes.listen(routerId, list);
    void consumers.reliable.setSubchannels(list).catch(() => undefined);
    void consumers.lossy.setSubchannels(list).catch(() => undefined);
  }

  private unsubscribe(peer: Peer): void {
    const subscription = this.subscriptions.get(peer);
    if (!subscription) return;
    this.subchannels.unsubscribe(subscription.list);
    this.lanes.unlisten(subscription.routerId, subscription.list);
    this.subscriptions.delete(peer);
  }
}

/** Whether a broadcast on `topic` reaches `peer`. */
export function admits(peer: Peer, topic: string | undefined): boolean {
  return topic === undefined || peer.topics === null || peer.topics.has(topic);
}

function routerOf(peer: Peer): string {
  if (!peer.home) throw new SwitchboardError('UNAVAILABLE', 'the connection has no media worker; resume');
  return peer.home.router.id;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
