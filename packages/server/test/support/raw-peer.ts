import wrtc from '@roamhq/wrtc';
import WebSocket, { type ClientOptions } from 'ws';
import { Device } from 'mediasoup-client';
import type { DataConsumer, DataProducer, Transport } from 'mediasoup-client/types';
import {
  decodeEach,
  decodeDelivered,
  unpackDelivered,
  encode,
  encodeOutgoing,
  EnvelopeKind,
  PROTOCOL_VERSION,
  type ClientRequests,
  type DataChannelKind,
  type ReceivedEnvelope,
  type NotificationFrame,
  type OutgoingEnvelope,
  type RequestMethod,
  type ResponseFrame,
  type TrackSource,
  type WireError,
} from '@switchboard/sdk/protocol';
import { waitFor } from './test-server.js';

Object.assign(globalThis, { RTCPeerConnection: wrtc.RTCPeerConnection, MediaStream: wrtc.MediaStream });

/** A request that failed, with the server's error code. */
export class RequestFailed extends Error {
  constructor(readonly error: WireError) {
    super(`${error.code}: ${error.message}`);
  }
}

/**
 * A protocol-level client for server tests: raw signaling frames and raw data envelopes, so
 * tests can send what the SDK never would (malformed frames, spoofed fields, floods).
 */
export class RawSignaling {
  readonly notifications: NotificationFrame[] = [];
  /** Responses that matched no request (e.g. errors for undecodable frames, id 0). */
  readonly orphanResponses: ResponseFrame[] = [];
  /** WebSocket messages received (one may hold several frames). */
  messages = 0;
  private nextId = 1;
  private readonly pending = new Map<number, (frame: ResponseFrame) => void>();
  closeCode: number | undefined;

  private constructor(readonly ws: WebSocket) {
    // One message may hold several frames back to back (room notifications sent together).
    ws.on('message', (data: Buffer) => {
      this.messages++;
      decodeEach(data, (value) => {
        const frame = value as ResponseFrame | NotificationFrame;
        if (frame.type === 'notification') this.notifications.push(frame);
        else {
          const resolve = this.pending.get(frame.id);
          this.pending.delete(frame.id);
          if (resolve) resolve(frame);
          else this.orphanResponses.push(frame);
        }
      });
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      // Requests the server never saw (sent after it closed the socket) fail here, so no
      // test waits for them forever.
      const unanswered = { code: 'DISCONNECTED', message: 'the socket closed before an answer' } as const;
      for (const resolve of this.pending.values()) resolve({ type: 'response', id: 0, ok: false, error: unanswered });
      this.pending.clear();
    });
  }

  /** `options` go to the `ws` client, e.g. `{ ca }` to trust a test certificate for wss://. */
  static async open(wsUrl: string, options: ClientOptions = {}): Promise<RawSignaling> {
    const ws = new WebSocket(`${wsUrl}/rtc`, options);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new RawSignaling(ws);
  }

  /** Sends a request and waits for its response; rejects with {@link RequestFailed}. */
  request<M extends RequestMethod>(method: M, data: ClientRequests[M]['params']): Promise<ClientRequests[M]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (frame) => (frame.ok ? resolve(frame.data as ClientRequests[M]['result']) : reject(new RequestFailed(frame.error))));
      this.ws.send(encode({ type: 'request', id, method, data }));
    });
  }

  /** Sends arbitrary bytes as a binary frame. */
  sendRaw(bytes: Uint8Array | string): void {
    this.ws.send(bytes);
  }

  notificationsOf(method: string): NotificationFrame[] {
    return this.notifications.filter((n) => n.method === method);
  }

  close(): void {
    this.ws.close();
  }
}

/** A joined peer with both DataChannels each way, speaking raw envelopes. */
export class RawPeer {
  /** Envelopes received, with the time each arrived (ms since epoch). */
  readonly received: (ReceivedEnvelope & { arrivedAt: number })[] = [];
  /** The server's DataChannels to it. */
  readonly dataConsumers: DataConsumer[] = [];
  private readonly seqs: Record<DataChannelKind, number> = { reliable: 0, lossy: 0 };

  private constructor(
    readonly signaling: RawSignaling,
    readonly session: ClientRequests['join']['result'],
    readonly device: Device,
    private readonly sendSide: Transport | undefined,
    readonly recvTransport: Transport,
    private readonly producers: Record<DataChannelKind, DataProducer> | undefined,
  ) {}

  get id(): string {
    return this.session.self.id;
  }

  /** Its send transport; a peer granted neither sendData nor publish (a viewer) has none. */
  get sendTransport(): Transport {
    if (this.sendSide === undefined) throw new Error(`${this.session.self.identity} joined without a send transport (no sendData or publish grant)`);
    return this.sendSide;
  }

  /** Joins with `token` and opens every channel. */
  static async join(wsUrl: string, token: string): Promise<RawPeer> {
    const signaling = await RawSignaling.open(wsUrl);
    const session = await signaling.request('join', { protocolVersion: PROTOCOL_VERSION, token });
    const device = new Device({ handlerName: 'Chrome111' });
    await device.load({ routerRtpCapabilities: session.routerRtpCapabilities });
    // A viewer (neither sendData nor publish) gets no send transport, so no DataChannels of its own.
    const send = session.sendTransport && device.createSendTransport(session.sendTransport);
    const recv = device.createRecvTransport(session.recvTransport);
    for (const transport of send ? [send, recv] : [recv]) {
      transport.on('connect', ({ dtlsParameters }, callback, errback) => {
        signaling.request('connectTransport', { transportId: transport.id, dtlsParameters }).then(() => callback(), errback);
      });
    }
    send?.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      const { name, source } = appData as { name: string; source: TrackSource };
      signaling.request('produce', { transportId: send.id, kind, rtpParameters, name, source }).then(callback, errback);
    });
    send?.on('producedata', ({ sctpStreamParameters, label, protocol, appData }, callback, errback) => {
      const channel = appData.channel as DataChannelKind;
      signaling.request('produceData', { transportId: send.id, channel, sctpStreamParameters, label: label ?? '', protocol: protocol ?? '' }).then(callback, errback);
    });
    const producers = send && {
      reliable: await send.produceData({ ordered: true, label: 'reliable', appData: { channel: 'reliable' } }),
      lossy: await send.produceData({ ordered: false, maxRetransmits: 0, label: 'lossy', appData: { channel: 'lossy' } }),
    };
    const peer = new RawPeer(signaling, session, device, send, recv, producers);
    for (const info of Object.values(session.dataConsumers ?? {})) {
      const consumer = await recv.consumeData({ ...info });
      peer.dataConsumers.push(consumer);
      consumer.on('message', (data: ArrayBuffer) => {
        // A batch (protocol 2) carries several deliveries.
        for (const bytes of unpackDelivered(new Uint8Array(data))) peer.received.push({ ...decodeDelivered(bytes), arrivedAt: Date.now() });
      });
    }
    await waitFor(() => Object.values(producers ?? {}).every((p) => p.readyState === 'open'), 'data channels to open');
    return peer;
  }

  /** Takes the channel's next sequence number. */
  nextSeq(channel: DataChannelKind): number {
    return ++this.seqs[channel];
  }

  /** Sends an envelope; `seq` defaults to the channel's next number. */
  send(channel: DataChannelKind, envelope: Partial<OutgoingEnvelope> & { data?: Uint8Array }): number {
    const seq = envelope.seq ?? this.nextSeq(channel);
    const bytes = encodeOutgoing({ kind: EnvelopeKind.message, type: 'test', data: encode(null), ...envelope, seq });
    this.sendBytes(channel, bytes);
    return seq;
  }

  /** The state of one of its own DataChannels. */
  channelState(channel: DataChannelKind): RTCDataChannelState {
    return this.ownProducers()[channel].readyState;
  }

  /** Sends raw bytes on a DataChannel. */
  sendBytes(channel: DataChannelKind, bytes: Uint8Array): void {
    this.ownProducers()[channel].send(new Uint8Array(bytes).buffer);
  }

  private ownProducers(): Record<DataChannelKind, DataProducer> {
    if (this.producers === undefined) throw new Error(`${this.session.self.identity} has no DataChannels of its own (no send transport)`);
    return this.producers;
  }

  /** Application messages received from others (own broadcast echoes excluded). */
  messagesFromOthers(): ReceivedEnvelope[] {
    return this.received.filter((m) => m.from !== this.id);
  }

  /** Payloads of received messages from others. */
  payloads(): unknown[] {
    return this.messagesFromOthers().map((m) => m.data);
  }

  close(): void {
    this.sendSide?.close();
    this.recvTransport.close();
    this.signaling.close();
  }
}
