import type { Router, Transport } from 'mediasoup/types';
import {
  decodeOutgoing,
  encodeOutgoing,
  EnvelopeKind,
  MAX_REMEMBERED_REJECTIONS,
  NumberedEnvelopeError,
  SERVER_SENDER_ID,
  SwitchboardError,
  type ClientRequests,
  type DataChannelKind,
  type DataConsumerInfo,
  type ErrorCode,
  type OutgoingEnvelope,
  type StreamLimits,
} from '@switchboard/sdk/protocol';
import type { BusMessage, RoomChannel, SequencedMessage } from '../cluster/room-bus.js';
import type { Logger } from '../log.js';
import type { Peer } from '../rooms/peer.js';
import type { DataMetrics } from './data-metrics.js';
import type { BatchOptions } from './fanout-batcher.js';
import { AckBatcher } from './ack-batcher.js';
import { admits, LocalDelivery, type ReceiverListener } from './local-delivery.js';
import { readInbound } from './inbound-batch.js';
import { addressedCount, messageTargets } from './message-targets.js';
import { Sequencer, type StampedMessage } from './sequencer.js';
import { StreamRouting } from './stream-routing.js';
import { TakeoverReader } from './takeover-reader.js';
import { messageWebhook } from '../webhooks/room-webhooks.js';
import type { WebhookSink } from '../webhooks/webhook-event.js';

export type { ReceiverListener } from './local-delivery.js';

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
  /** The room's name, for the webhooks' `message` events. */
  room: string;
  /** Where messages of the types the operator chose are reported. */
  webhooks: WebhookSink;
  /** How live deliveries are batched. */
  batch: BatchOptions;
  /** Limits on each peer's streams. */
  streams: StreamLimits;
}

/** A message the server itself sends (HTTP API). */
export interface ServerMessage {
  type: string;
  payload: Uint8Array;
  to?: string[] | undefined;
  toIdentities?: string[] | undefined;
  topic?: string | undefined;
  reliable: boolean;
}

/**
 * A room's data plane. Peers' DataChannels are read through a DirectTransport on their router;
 * each message's header is checked (at the sender's node), then published on the room's
 * {@link RoomChannel}, which numbers reliable ones in the room's one total order and hands every
 * message back to each node with the room open (one node in memory, or many through Redis: a
 * message crosses to another node once per node). What comes back is stamped by the
 * {@link Sequencer} and sent by {@link LocalDelivery} once into each router (worker) with
 * receivers for it, where the worker fans it out by subchannel. Reliable deliveries are kept
 * for replay to peers that resume.
 */
export class DataRouter {
  private readonly sequencer: Sequencer;
  private readonly local: LocalDelivery;
  private readonly acks = new AckBatcher();
  private channel: RoomChannel | undefined;
  private readonly streams: StreamRouting;
  private takeovers: TakeoverReader | undefined;

  constructor(
    private readonly members: ReadonlyMap<string, Peer>,
    private readonly options: DataRouterOptions,
  ) {
    const sequencer = new Sequencer(options.replayBufferBytes, options.replayMaxAgeMs);
    this.sequencer = sequencer;
    this.local = new LocalDelivery(members, {
      maxMessageSize: options.maxMessageSize,
      sctpSendBufferBytes: options.sctpSendBufferBytes,
      replayBufferBytes: options.replayBufferBytes,
      metrics: options.metrics,
      listener: options.listener,
      batch: options.batch,
      since: (seq) => sequencer.since(seq),
      lastSeq: () => sequencer.lastSeq,
    });
    this.streams = new StreamRouting(options.streams, {
      publish: (from, channel, envelope, body) => this.publish(from, channel, envelope, body),
      inRoom: (peerId) => members.has(peerId) || this.channel?.peers().has(peerId) === true,
      logger: options.logger,
    });
  }

  /**
   * Connects the data plane to the room's channel on the bus. Messages older than the channel's
   * newest number when it opened never reach this node's log.
   */
  async attach(channel: RoomChannel): Promise<void> {
    this.channel = channel;
    this.takeovers = new TakeoverReader(channel);
    this.sequencer.skipTo(await channel.lastSeq());
  }

  /** The next reliable message of the room, from the bus, in order. */
  receiveReliable(message: SequencedMessage): void {
    this.fanOut(this.stamp('reliable', message, message.seq, message.at));
  }

  /** The bus handed over every reliable message of one read: what they make this node send goes now. */
  readDone(): void {
    this.local.inputEnded();
  }

  /** A lossy message of the room, from the bus. */
  receiveLossy(message: BusMessage): void {
    this.fanOut(this.stamp('lossy', message, 0, Date.now()));
  }

  /**
   * Prepares this node to replay from `afterSeq` for a session it takes over from a dead node
   * (fetching from the room's shared log what this node has not seen), and finds the sender
   * sequence number of the session's last message in that log, so its resent messages are
   * accepted exactly once; see {@link TakeoverReader}. Throws `UNAVAILABLE` when the bus is down.
   */
  async takeOver(peerId: string, afterSeq: number, mayHaveSent: boolean): Promise<number> {
    if (!this.takeovers) throw new SwitchboardError('UNAVAILABLE', 'the room is still opening; try again');
    const { missed, lastSent } = await this.takeovers.read(peerId, afterSeq, mayHaveSent);
    this.sequencer.backfill(missed, afterSeq);
    return lastSent;
  }

  /**
   * The bus lost messages `fromSeq`..`toSeq` before this node read them: they cannot be replayed
   * here, and the receivers connected now are told (one resuming later is refused `RESUME_FAILED`).
   */
  missed(fromSeq: number, toSeq: number): void {
    this.sequencer.skipTo(toSeq);
    for (const peer of this.members.values()) {
      if (peer.grants.receiveData) peer.connection?.notify('messagesLost', { fromSeq, toSeq });
    }
  }

  /**
   * Creates the room's data objects on one of its routers (a router joining the room). The
   * numbering and the replay log live here in Node and outlive any router or worker.
   */
  addRouter(router: Router): Promise<void> {
    return this.local.addRouter(router);
  }

  /** The room's newest reliable sequence number: a joining peer has everything up to it. */
  get lastSeq(): number {
    return this.sequencer.lastSeq;
  }

  /** A subchannel for a new peer, or undefined when the room is full. */
  allocateSubchannel(): number | undefined {
    return this.local.allocateSubchannel();
  }

  /** Returns a subchannel that ended up unused. */
  releaseSubchannel(subchannel: number): void {
    this.local.releaseSubchannel(subchannel);
  }

  /** Forgets a peer that left the room. */
  removePeer(peer: Peer): void {
    this.streams.removeSender(peer.id);
    this.local.stopReceiving(peer);
    this.acks.forget(peer);
    this.local.releaseSubchannel(peer.subchannel);
  }

  /** Creates the server's two DataChannels to the peer on its receive transport; see {@link LocalDelivery.openReceiver}. */
  openReceiver(peer: Peer, recv: Transport): Promise<Record<DataChannelKind, DataConsumerInfo>> {
    return this.local.openReceiver(peer, recv);
  }

  /** Replays what the peer missed, then subscribes it to live traffic. */
  startReceiving(peer: Peer): void {
    this.local.startReceiving(peer);
  }

  /** Unsubscribes a peer whose connection dropped; its later messages wait in the log. */
  stopReceiving(peer: Peer): void {
    this.local.stopReceiving(peer);
  }

  /** Whether everything after `seq` is still in the log. */
  canReplayFrom(seq: number): boolean {
    return this.sequencer.since(seq) !== undefined;
  }

  /** The peer's grants changed: deliveries follow its `receiveData`. */
  grantsChanged(peer: Peer): void {
    this.local.grantsChanged(peer);
  }

  /** Changes which topics' broadcasts a peer receives. */
  setTopics(peer: Peer, topics: readonly string[] | null): void {
    peer.topics = topics === null ? null : new Set(topics);
    this.local.topicsChanged(peer);
  }

  /**
   * Registers one of the peer's two DataChannels (a DataProducer on its send transport) and
   * starts reading it on the peer's router.
   */
  async openChannel(peer: Peer, params: ClientRequests['produceData']['params']): Promise<{ id: string }> {
    const transports = peer.transports;
    if (!transports?.send || params.transportId !== transports.send.id) {
      throw new SwitchboardError('NOT_FOUND', `no send transport ${params.transportId}`);
    }
    if (transports.producers[params.channel]) {
      throw new SwitchboardError('ALREADY_JOINED', `the ${params.channel} channel is already open`);
    }
    const { streamId, ...stream } = params.sctpStreamParameters;
    if (typeof streamId !== 'number') throw new SwitchboardError('MALFORMED', 'sctpStreamParameters.streamId is required');
    const producer = await transports.send.produceData({
      sctpStreamParameters: { streamId, ...stream },
      label: params.label,
      protocol: params.protocol,
      appData: { channel: params.channel },
    });
    transports.producers[params.channel] = producer;
    try {
      if (!peer.home) throw new SwitchboardError('UNAVAILABLE', 'the connection has no media worker; resume');
      // Transports linger a moment after their session (see PeerPlacement.disconnect): what
      // still comes through them then is not the peer's to send.
      await this.local.lanes.read(peer.home.router.id, producer, (message) => {
        if (peer.transports === transports) this.route(peer, params.channel, message);
      });
    } catch (error) {
      // The connection dropped (and its transports closed) while this request was under way.
      if (producer.closed) throw new SwitchboardError('NOT_FOUND', 'the transport closed meanwhile');
      throw error;
    }
    return { id: producer.id };
  }

  /**
   * Checks, stamps and forwards what one DataChannel message from a peer carries: one envelope,
   * or a batch of them (see {@link readInbound}). A batch that cannot be read is refused as
   * `MALFORMED` under seq 0 (no number can be read from it); an element that cannot be read is
   * refused so too, and its neighbours still go.
   */
  route(sender: Peer, channel: DataChannelKind, bytes: Uint8Array): void {
    readInbound(bytes, this.options.maxMessageSize, {
      envelope: (element, size) => this.routeOne(sender, channel, element, size),
      malformed: (reason) => {
        this.options.metrics.channels[channel].messagesIn.inc();
        this.reject(sender, channel, 0, 'MALFORMED', reason);
      },
    });
  }

  // One envelope; `size` is what counts against maxMessageSize (its own, or its batch's).
  private routeOne(sender: Peer, channel: DataChannelKind, bytes: Uint8Array, size: number): void {
    const counters = this.options.metrics.channels[channel];
    counters.messagesIn.inc();
    counters.bytesIn.inc(bytes.byteLength);
    sender.sent.messages++;
    sender.sent.bytes += bytes.byteLength;
    let envelope: OutgoingEnvelope;
    try {
      envelope = decodeOutgoing(bytes);
    } catch (error) {
      // Refused under its number when that could be read, so the sender's receipt settles.
      const seq = error instanceof NumberedEnvelopeError ? error.seq : 0;
      if (channel === 'reliable' && seq > 0) {
        // A resent duplicate: its sender never saw the ack and may be waiting on it.
        if (seq <= sender.lastAcceptedSeq) return this.acks.schedule(sender, true);
        sender.lastAcceptedSeq = seq;
      }
      // The refusal itself is notified at once; the ack that follows it may wait.
      this.reject(sender, channel, seq, 'MALFORMED', (error as Error).message);
      if (channel === 'reliable' && seq > 0) this.acks.schedule(sender, false);
      return;
    }
    const seq = envelope.seq;
    if (channel === 'reliable') {
      if (seq <= sender.lastAcceptedSeq) {
        this.options.metrics.duplicates.inc();
        this.acks.schedule(sender, true);
        return;
      }
      sender.lastAcceptedSeq = seq;
    } else {
      sender.lastLossySeq = Math.max(sender.lastLossySeq, seq);
    }
    if (size > this.options.maxMessageSize) {
      const what = size === bytes.byteLength ? 'message' : 'batch';
      this.reject(sender, channel, seq, 'MESSAGE_TOO_LARGE', `${what} of ${size} bytes is above the limit of ${this.options.maxMessageSize}`);
    } else if (!sender.grants.sendData) {
      this.reject(sender, channel, seq, 'PERMISSION_DENIED', 'this token does not grant sendData');
    } else if (envelope.kind !== EnvelopeKind.stream && !sender.rateLimiter.take(Date.now())) {
      this.reject(sender, channel, seq, 'RATE_LIMITED', 'too many messages; slow down');
    } else {
      try {
        const published =
          envelope.kind === EnvelopeKind.stream ? this.streams.route(sender, channel, envelope, bytes) : this.publish(sender.id, channel, envelope, bytes);
        // A reliable message is acknowledged once the bus has numbered (or refused) it: acks
        // are receipts, so none covers a message whose fate is still open.
        if (channel === 'reliable') {
          // Its sender waits on the ack of a receipt it asked for and of a stream's chunk.
          const prompt = envelope.receipt === true || envelope.kind === EnvelopeKind.stream;
          sender.publishing.add(seq);
          published.then(
            () => {
              sender.publishing.delete(seq);
              this.acks.schedule(sender, prompt);
            },
            (error: unknown) => {
              sender.publishing.delete(seq);
              this.rejectFailed(sender, channel, seq, error);
              this.acks.schedule(sender, prompt);
            },
          );
          return;
        }
      } catch (error) {
        if (!(error instanceof SwitchboardError)) throw error;
        this.reject(sender, channel, seq, error.code, error.message);
      }
    }
    if (channel === 'reliable') this.acks.schedule(sender, false);
  }

  /**
   * Sends a message as the server; resolves with how many peers it is addressed to (for a
   * broadcast: this node's receivers it admits plus every receiving peer on other nodes).
   */
  async sendFromServer(message: ServerMessage): Promise<number> {
    if (message.payload.byteLength > this.options.maxMessageSize) {
      throw new SwitchboardError('MESSAGE_TOO_LARGE', `payload of ${message.payload.byteLength} bytes is above the limit of ${this.options.maxMessageSize}`);
    }
    const envelope: OutgoingEnvelope = { kind: EnvelopeKind.message, seq: 0, type: message.type, data: message.payload };
    if (message.to !== undefined) envelope.to = message.to;
    if (message.toIdentities !== undefined) envelope.toIdentities = message.toIdentities;
    if (message.topic !== undefined) envelope.topic = message.topic;
    const addressed = addressedCount(envelope, this.members, this.channel?.peers() ?? new Map(), (peer) => peer.receiving && peer.grants.receiveData && admits(peer, envelope.topic));
    await this.publish(SERVER_SENDER_ID, message.reliable ? 'reliable' : 'lossy', envelope, encodeOutgoing(envelope));
    return addressed;
  }

  /** Stops the data plane (the room is closing). */
  close(): void {
    this.acks.close();
    this.local.close();
  }

  // Resolves and checks the targets (on any node; see messageTargets) and hands the message to the bus; throws SwitchboardError
  // for a target that cannot receive, and nothing is sent then. `body` is its outgoing envelope.
  private publish(from: string, channel: DataChannelKind, envelope: OutgoingEnvelope, body: Uint8Array): Promise<unknown> {
    const bus = this.channel;
    if (!bus) throw new SwitchboardError('UNAVAILABLE', 'the room is still opening; try again');
    const targets = messageTargets(envelope, this.members, bus.peers());
    // Reported once, by the node that accepted the message from its sender; stream frames are
    // not messages (a file would be reported chunk by chunk).
    if (envelope.kind !== EnvelopeKind.stream && this.options.webhooks.wantsMessages(envelope.type)) {
      this.options.webhooks.emit(messageWebhook(this.options.room, from, envelope.type, targets, envelope.topic, envelope.data));
    }
    const message: BusMessage = { from, targets, topic: envelope.topic, body, type: envelope.type };
    if (channel === 'reliable') return bus.publishReliable(message);
    bus.publishLossy(message);
    return Promise.resolve();
  }

  private stamp(channel: DataChannelKind, message: BusMessage, seq: number, at: number): StampedMessage | undefined {
    try {
      return this.sequencer.stamp(channel, message, seq, at);
    } catch (error) {
      // Only a node of another version could publish a body this node cannot read.
      this.options.logger.warn('unreadable message from the room bus; skipped', { seq, from: message.from, error });
      return undefined;
    }
  }

  private fanOut(message: StampedMessage | undefined): void {
    if (!message) return;
    const deliveries = this.local.deliver(message);
    const counters = this.options.metrics.channels[message.channel];
    counters.messagesOut.inc(deliveries);
    counters.bytesOut.inc(deliveries * message.bytes.byteLength);
  }

  private rejectFailed(peer: Peer, channel: DataChannelKind, seq: number, error: unknown): void {
    const typed = error instanceof SwitchboardError ? error : new SwitchboardError('UNAVAILABLE', 'the message could not be sequenced; try again');
    this.reject(peer, channel, seq, typed.code, typed.message);
  }

  private reject(peer: Peer, channel: DataChannelKind, seq: number, code: ErrorCode, message: string): void {
    this.options.metrics.dropped.inc({ reason: code.toLowerCase() });
    const error = { code, message };
    if (channel === 'reliable' && seq > 0) {
      peer.rejections.push({ seq, error });
      if (peer.rejections.length > MAX_REMEMBERED_REJECTIONS) peer.rejections.shift();
    }
    peer.connection?.notify('messageRejected', { channel, seq, error });
  }
}
