import type { DataPlane } from '../data-channel/data-plane.js';
import type { LossyDropReason } from '../data-channel/lossy-sender.js';
import type { UnsequencedEnvelope } from '../data-channel/outgoing.js';
import { receivedMessage } from '../data-channel/received-message.js';
import { SendReceipts } from '../data-channel/send-receipts.js';
import { OrderedCrypto } from '../e2ee/ordered-crypto.js';
import { SEAL_OVERHEAD } from '../e2ee/payload-cipher.js';
import { MessageError, MessageRejectedError, type DisconnectedError } from '../errors.js';
import type { Holdback } from '../events.js';
import { encode, EnvelopeKind, RELAY_MESSAGE_TYPE, type Grants, type Limits, type ReceivedEnvelope, type WireError } from '../protocol/index.js';
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
  /** A peer's identity, while it is in the room (or this peer's own). */
  identityOf(peerId: string): string | undefined;
  /**
   * Emits a room event (`message`, `message:<type>`, `messageRejected`, `messagesLost`,
   * `lossyDropped`, `stream`, `decryptionFailed`).
   */
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
  // End-to-end encryption, when on: sealing happens in the reliable sender; this keeps order.
  private readonly crypto: OrderedCrypto | undefined;
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
    const { encryption } = host.data;
    this.crypto =
      encryption &&
      new OrderedCrypto(encryption, {
        identityOf: (peerId) => host.identityOf(peerId),
        // Held like deliveries: history that fails before `connect` resolves is still reported.
        failed: (event) => host.holdback.run(() => host.emit('decryptionFailed', event)),
      });
    this.streams = new RoomStreams({
      send: (envelope) => {
        this.assertMaySend();
        return host.data.reliable.send(envelope);
      },
      // Chunks leave room for what encryption adds to their bytes.
      maxMessageSize: () => host.limits().maxMessageSize - (this.crypto === undefined ? 0 : SEAL_OVERHEAD),
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
      this.sendLossy(envelope, (reason) => {
        if (this.host.listens('lossyDropped')) this.host.emit('lossyDropped', { type, reason });
      });
      return;
    }
    if (options.receipt === true) envelope.receipt = true;
    const { seq, sent } = this.host.data.reliable.send(envelope);
    if (options.receipt !== true) return sent;
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
    else this.sendLossy(envelope);
  }

  /** A join or resume answer: what the server accepted and refused of our messages meanwhile. */
  joined(result: JoinResult): void {
    const { data } = this.host;
    data.maxMessageSize = result.limits.maxMessageSize;
    // Servers before wave 3 did not report it: their lossy limit was the reliable one.
    data.maxLossyMessageSize = result.limits.maxLossyMessageSize ?? result.limits.maxMessageSize;
    data.receiver.ownId = result.self.id;
    if (data.encryption) data.encryption.identity = result.self.identity;
    for (const rejection of this.receipts.resumed(result.rejected ?? [], result.lastAcceptedSeq)) {
      this.host.data.rejected++;
      this.host.emit('messageRejected', rejection);
    }
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
    this.host.data.rejected++;
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
    this.host.data.receiver.receive(bytes, this.crypto === undefined ? this.deliver : this.decrypt);
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

  // End-to-end encrypted deliveries are decrypted first, and delivered in their order.
  private readonly decrypt = (envelope: ReceivedEnvelope): void => this.crypto!.receive(envelope, this.deliver);

  private sendLossy(envelope: UnsequencedEnvelope, dropped?: (reason: LossyDropReason) => void): void {
    const { data } = this.host;
    const send = (ready: UnsequencedEnvelope): void => {
      const reason = data.lossy.send(ready);
      if (reason !== undefined) dropped?.(reason);
    };
    if (this.crypto === undefined) send(envelope);
    else this.crypto.sendLossy(envelope, data.lossyLimit(), send);
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
