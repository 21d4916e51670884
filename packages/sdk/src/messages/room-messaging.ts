import type { DataPlane } from '../data-channel/data-plane.js';
import type { UnsequencedEnvelope } from '../data-channel/outgoing.js';
import { receivedMessage } from '../data-channel/received-message.js';
import { SendReceipts } from '../data-channel/send-receipts.js';
import { RELAY_MESSAGE_TYPE } from '../direct/direct-frame.js';
import { MessageError, MessageRejectedError, type DisconnectedError } from '../errors.js';
import type { Holdback } from '../events.js';
import { encode, EnvelopeKind, type Grants, type Limits, type ReceivedEnvelope, type WireError } from '../protocol/index.js';
import { RpcEndpoint, type RpcCallOptions, type RpcHandler } from '../rpc/rpc-endpoint.js';
import type { JoinResult } from '../signaling/server-frame.js';
import type { StreamHandle } from '../stream/outgoing-stream.js';
import { RoomStreams, type SendStreamOptions } from '../stream/room-streams.js';
import type { StreamSource } from '../stream/stream-source.js';
import type { SendOptions } from './message-types.js';
import { address } from './recipients.js';

/** What a room's messaging needs of the room. */
export interface MessagingHost {
  readonly data: DataPlane;
  readonly holdback: Holdback;
  grants(): Grants;
  limits(): Limits;
  inRoom(peerId: string): boolean;
  /** Emits a room event (`message`, `message:<type>`, `messageRejected`, `messagesLost`, `stream`). */
  emit(event: string, payload: unknown): void;
  /** Whether a room event has a listener. */
  listens(event: string): boolean;
  /** A direct channel's frame that came through the server. */
  relayed(from: string, payload: unknown): void;
}

/**
 * Everything a room sends and receives on its data channels: messages with their receipts,
 * streams, RPC and the relayed frames of direct channels, and the server's answers about them
 * (acknowledgements, refusals), kept apart from peers, tracks and the connection.
 */
export class RoomMessaging {
  private readonly receipts = new SendReceipts();
  private readonly rpcEndpoint: RpcEndpoint;
  private readonly streams: RoomStreams;
  // The last message type's `message:<type>` event name, built once per run of one type.
  private lastType = '';
  private lastTypeEvent = 'message:';
  // One function for every delivery; a closure per delivery only while events are held.
  private readonly deliver = (envelope: ReceivedEnvelope): void => {
    const { holdback } = this.host;
    if (holdback.holding) holdback.run(() => this.dispatch(envelope));
    else this.dispatch(envelope);
  };

  constructor(
    private readonly host: MessagingHost,
    rpcTimeoutMs: number,
  ) {
    this.streams = new RoomStreams({
      send: (envelope) => {
        this.assertMaySend();
        return host.data.reliable.send(envelope);
      },
      maxMessageSize: () => host.limits().maxMessageSize,
      limits: () => host.limits().streams,
      inRoom: (peerId) => host.inRoom(peerId),
      opened: (stream) => host.emit('stream', stream),
    });
    this.rpcEndpoint = new RpcEndpoint({ send: (envelope) => this.sendForRpc(envelope) }, rpcTimeoutMs);
  }

  /** See `Room.send`. */
  async send(type: string, data: unknown, options: SendOptions): Promise<void> {
    const envelope: UnsequencedEnvelope = { kind: EnvelopeKind.message, type, data: encode(data ?? null) };
    if (options.to !== undefined) address(envelope, options.to);
    if (options.topic !== undefined) envelope.topic = options.topic;
    this.assertMaySend();
    if (options.reliable === false) {
      this.host.data.lossy.send(envelope);
      return;
    }
    const { seq, sent } = this.host.data.reliable.send(envelope);
    if (options.receipt === false) return sent;
    const receipt = this.receipts.expect(seq);
    // The receipt fails too if the message never goes out.
    sent.catch(() => undefined);
    return receipt;
  }

  /** See `Room.sendStream`. */
  sendStream(type: string, source: StreamSource, options?: SendStreamOptions): StreamHandle {
    return this.streams.send(type, source, options);
  }

  /** See `Room.rpc`. */
  rpc(peerId: string, method: string, payload?: unknown, options?: RpcCallOptions): Promise<unknown> {
    return this.rpcEndpoint.call(peerId, method, payload, options);
  }

  /** See `Room.handle`. */
  handle(method: string, handler: RpcHandler): () => void {
    return this.rpcEndpoint.handle(method, handler);
  }

  /** A direct channel's frame through the server, as a targeted room message. */
  async relay(peerId: string, bytes: Uint8Array, reliable: boolean): Promise<void> {
    this.assertMaySend();
    const envelope: UnsequencedEnvelope = { kind: EnvelopeKind.message, type: RELAY_MESSAGE_TYPE, to: peerId, data: bytes };
    if (reliable) await this.host.data.reliable.send(envelope).sent;
    else this.host.data.lossy.send(envelope);
  }

  /** A join or resume answer: what the server accepted and refused of our messages meanwhile. */
  joined(result: JoinResult): void {
    const { data } = this.host;
    data.maxMessageSize = result.limits.maxMessageSize;
    data.receiver.ownId = result.self.id;
    for (const rejection of this.receipts.resumed(result.rejected ?? [], result.lastAcceptedSeq)) this.host.emit('messageRejected', rejection);
    this.acked(result.lastAcceptedSeq);
  }

  /** The server accepted our reliable messages up to `seq`. */
  acked(seq: number): void {
    this.receipts.accepted(seq);
    this.host.data.reliable.ack(seq);
    this.streams.acked(seq);
  }

  /** The server refused one of our messages. */
  rejected(channel: 'reliable' | 'lossy', seq: number, error: WireError): void {
    const rejection = new MessageRejectedError(error.code, error.message, seq, channel);
    if (channel === 'reliable') {
      this.rpcEndpoint.rejected(seq, rejection);
      this.streams.rejected(seq, rejection);
      this.receipts.rejected(rejection);
    }
    this.host.emit('messageRejected', rejection);
  }

  /** The server will never deliver the room's reliable messages `fromSeq`..`toSeq` that have not come. */
  lost(fromSeq: number, toSeq: number): void {
    this.host.data.receiver.lostUpTo(toSeq);
    this.host.emit('messagesLost', { fromSeq, toSeq });
  }

  /** Bytes from a receive channel. */
  received(bytes: unknown): void {
    // Accepted at once, so the sequence number reported on resuming counts held deliveries too.
    this.host.data.receiver.receive(bytes, this.deliver);
  }

  /** A peer left: its calls and streams end. */
  peerLeft(peerId: string): void {
    this.rpcEndpoint.peerLeft(peerId);
    this.streams.peerLeft(peerId);
  }

  /** The room is over: everything pending fails with `error`. */
  closed(error: DisconnectedError): void {
    this.host.data.fail(error);
    this.receipts.fail(error);
    this.rpcEndpoint.failAll(error);
    this.streams.closed(error);
  }

  private assertMaySend(): void {
    if (!this.host.grants().sendData) throw new MessageError('PERMISSION_DENIED', 'this token does not grant sendData');
  }

  private sendForRpc(envelope: UnsequencedEnvelope): number {
    this.assertMaySend();
    const { seq, sent } = this.host.data.reliable.send(envelope);
    // A request that never goes out fails its call through failAll (disconnect) or its timeout.
    sent.catch(() => undefined);
    return seq;
  }

  private dispatch(envelope: ReceivedEnvelope): void {
    const payload = envelope.data;
    if (envelope.type === RELAY_MESSAGE_TYPE && envelope.targeted && envelope.kind === EnvelopeKind.message) {
      this.host.relayed(envelope.from, payload);
      return;
    }
    if (envelope.kind === EnvelopeKind.stream) {
      this.streams.received(envelope);
      return;
    }
    if (envelope.kind !== EnvelopeKind.message) {
      this.rpcEndpoint.receive(envelope, payload);
      return;
    }
    const { host } = this;
    if (envelope.type !== this.lastType) {
      this.lastType = envelope.type;
      this.lastTypeEvent = `message:${envelope.type}`;
    }
    const typed = this.lastTypeEvent;
    const any = host.listens('message');
    if (!any && !host.listens(typed)) return;
    // The payload's shape is the sender's promise, as the message map says; nothing checks it.
    const message = receivedMessage(envelope);
    if (any) host.emit('message', message);
    host.emit(typed, message);
  }
}
