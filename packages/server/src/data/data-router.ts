import type { Router, Transport } from 'mediasoup/types';
import {
  decodeOutgoing,
  encodeDelivered,
  EnvelopeKind,
  SERVER_SENDER_ID,
  SwitchboardError,
  targetList,
  type ClientRequests,
  type DataChannelKind,
  type DataConsumerInfo,
  type ErrorCode,
  type OutgoingEnvelope,
} from '@switchboard/sdk/protocol';
import type { Logger } from '../log.js';
import type { Peer } from '../rooms/peer.js';
import type { DataMetrics } from './data-metrics.js';
import type { BatchOptions } from './fanout-batcher.js';
import { LocalDelivery, type ReceiverListener } from './local-delivery.js';
import { LocalSequencer, type Sequencer } from './sequencer.js';
import { messageWebhook } from '../webhooks/room-webhooks.js';
import type { WebhookSink } from '../webhooks/webhook-event.js';

export type { ReceiverListener } from './local-delivery.js';

// Acks are batched: one notification per peer per tick of this length at most.
const ACK_DELAY_MS = 10;

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
 * A room's data plane. Peers' DataChannels are read through a DirectTransport on their router;
 * each message's header is checked, then it takes two steps: the {@link Sequencer} numbers
 * (if reliable), stamps and logs it, and {@link LocalDelivery} sends it once into each router
 * (worker) with receivers for it, where the worker fans it out by subchannel. Reliable
 * deliveries are numbered per room and kept for replay to peers that resume.
 */
export class DataRouter {
  private readonly sequencer: Sequencer;
  private readonly local: LocalDelivery;
  private readonly pendingAcks = new Set<Peer>();
  private ackTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly members: ReadonlyMap<string, Peer>,
    private readonly options: DataRouterOptions,
  ) {
    const sequencer = new LocalSequencer(options.replayBufferBytes, options.replayMaxAgeMs);
    this.sequencer = sequencer;
    this.local = new LocalDelivery(members, {
      maxMessageSize: options.maxMessageSize,
      sctpSendBufferBytes: options.sctpSendBufferBytes,
      metrics: options.metrics,
      listener: options.listener,
      batch: options.batch,
      since: (seq) => sequencer.since(seq),
    });
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

  /** Forgets a peer that left the room. */
  removePeer(peer: Peer): void {
    this.local.stopReceiving(peer);
    this.pendingAcks.delete(peer);
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
    if (!transports || params.transportId !== transports.send.id) {
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
      await this.local.lanes.read(peer.home.router.id, producer, (message) => this.route(peer, params.channel, message));
    } catch (error) {
      // The connection dropped (and its transports closed) while this request was under way.
      if (producer.closed) throw new SwitchboardError('NOT_FOUND', 'the transport closed meanwhile');
      throw error;
    }
    return { id: producer.id };
  }

  /** Checks, stamps and forwards one message from a peer. */
  route(sender: Peer, channel: DataChannelKind, bytes: Buffer): void {
    const counters = this.options.metrics.channels[channel];
    counters.messagesIn.inc();
    counters.bytesIn.inc(bytes.byteLength);
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
        this.options.metrics.duplicates.inc();
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
    this.local.close();
  }

  // Throws SwitchboardError for a target that cannot receive; nothing is sent then.
  private deliver(from: string, channel: DataChannelKind, envelope: OutgoingEnvelope): number {
    const targets = envelope.to === undefined ? undefined : typeof envelope.to === 'string' ? [envelope.to] : [...new Set(targetList(envelope.to))];
    for (const id of targets ?? []) {
      const target = this.members.get(id);
      if (!target) throw new SwitchboardError('UNKNOWN_TARGET', `peer ${id} is not in this room`);
      if (!target.grants.receiveData) throw new SwitchboardError('PERMISSION_DENIED', `peer ${id} does not receive data`);
    }
    const message = this.sequencer.stamp({
      channel,
      from,
      targets,
      topic: envelope.topic,
      encode: (seq, serverTime) =>
        encodeDelivered({
          kind: envelope.kind,
          seq,
          from,
          serverTime,
          type: envelope.type,
          targeted: targets !== undefined,
          data: envelope.data,
          ...(envelope.topic === undefined ? {} : { topic: envelope.topic }),
          ...(envelope.callId === undefined ? {} : { callId: envelope.callId }),
        }),
    });
    const deliveries = this.local.deliver(message);
    if (this.options.webhooks.wantsMessages(envelope.type)) {
      this.options.webhooks.emit(messageWebhook(this.options.room, from, envelope.type, targets, envelope.topic, envelope.data));
    }
    const counters = this.options.metrics.channels[channel];
    counters.messagesOut.inc(deliveries);
    counters.bytesOut.inc(deliveries * message.bytes.byteLength);
    return targets ? targets.length : deliveries;
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
