import type { Device } from 'mediasoup-client';
import type { DataProducer, RtpCapabilities, Transport } from 'mediasoup-client/types';
import type { MediaEncryption } from '../e2ee/media-encryption.js';
import type { Environment } from '../env/environment.js';
import type { DataChannelKind, TrackSource } from '../protocol/index.js';
import { SessionLifecycle } from './session-lifecycle.js';
import type { RequestFn, SessionOptions, TransportSession } from './session.js';

/** What an {@link RtcSession} needs: the session options and where WebRTC comes from. */
export interface RtcSessionOptions extends SessionOptions {
  environment: Environment;
  /** End-to-end encryption of media, when it is on. */
  encryption?: MediaEncryption;
}

/**
 * The media side of a started session, as publishing and subscribing use it. Everything in it
 * dies with the session: after a reconnect, tracks are published and subscribed again on the
 * next one.
 */
export interface MediaSession {
  /** The loaded device: what this browser can send and receive. */
  readonly device: Device;
  /** Absent for a viewer: a peer granted neither `sendData` nor `publish` has no send transport. */
  readonly sendTransport: Transport | undefined;
  readonly recvTransport: Transport;
  /** True once the session is over (its transports are closed). */
  readonly closed: boolean;
  /** Sends a request on this session's signaling connection; it fails once that is gone. */
  readonly request: RequestFn;
  /** End-to-end encryption of media, when it is on. */
  readonly encryption?: MediaEncryption;
}

/** What a track publication passes as `appData` to `produce`, for the `produce` request. */
export interface ProduceAppData {
  [key: string]: unknown;
  name: string;
  source: TrackSource;
}

// Both channels go through the send transport as mediasoup DataProducers.
const CHANNEL_OPTIONS: Record<DataChannelKind, { ordered: boolean; maxRetransmits?: number }> = {
  reliable: { ordered: true },
  lossy: { ordered: false, maxRetransmits: 0 },
};

/**
 * The WebRTC side of one connection: a mediasoup-client Device, the send and receive transports
 * the `join` described, our two DataProducers (`reliable`, `lossy`) and the server's two
 * DataConsumers. A new connection after a drop makes a new RtcSession.
 */
export class RtcSession implements MediaSession, TransportSession {
  /** Our outgoing channels; absent without the `sendData` grant. */
  channels: Record<DataChannelKind, DataProducer> | undefined;
  readonly request: RequestFn;
  // Set by `start` before it resolves; only a started session is handed out.
  device!: Device;
  sendTransport: Transport | undefined;
  recvTransport!: Transport;
  private readonly transports: Transport[] = [];
  private readonly lifecycle: SessionLifecycle;

  readonly encryption?: MediaEncryption;

  constructor(private readonly options: RtcSessionOptions) {
    this.request = options.request;
    if (options.encryption !== undefined) this.encryption = options.encryption;
    this.lifecycle = new SessionLifecycle(options, () => {
      for (const transport of this.transports) transport.close();
    });
  }

  /** True once the session is over (closed, or broken). */
  get closed(): boolean {
    return this.lifecycle.closed;
  }

  /** This session is its own media side. */
  get media(): MediaSession {
    return this;
  }

  /** What the device can receive, once started. */
  get rtpCapabilities(): RtpCapabilities | undefined {
    return this.device?.rtpCapabilities;
  }

  /**
   * Creates the transports and channels and resolves once the outgoing channels are open. On
   * failure, or if {@link close} is called meanwhile, it rejects and everything is closed.
   */
  start(): Promise<void> {
    return this.lifecycle.start(() => this.setUp());
  }

  /** Closes transports, channels and timers. */
  close(): void {
    this.lifecycle.close();
  }

  private async setUp(): Promise<void> {
    const { environment, join } = this.options;
    const device = await environment.createDevice();
    await device.load({ routerRtpCapabilities: join.routerRtpCapabilities });
    this.lifecycle.throwIfClosed();
    this.device = device;
    const { ice = {} } = this.options;
    const iceOptions = {
      iceServers: ice.servers ?? join.iceServers ?? [],
      iceTransportPolicy: ice.transportPolicy ?? 'all',
      // Encrypted media needs the peer connections' encoded frames.
      ...(this.encryption === undefined ? {} : { additionalSettings: this.encryption.transportSettings }),
    };
    // A viewer's join has no send transport (the server made none): only a receive one here.
    const send = join.sendTransport && (this.sendTransport = this.sendSide(device.createSendTransport({ ...join.sendTransport, ...iceOptions })));
    const recv = (this.recvTransport = this.watch(device.createRecvTransport({ ...join.recvTransport, ...iceOptions })));
    const { request } = this.options;
    // The server needs our capabilities before we consume; a resume sent them with `join`.
    const announce = join.grants.subscribe && !join.resumed;
    await Promise.all([
      send && join.grants.sendData ? this.produceChannels(send) : undefined,
      this.consumeChannels(recv),
      announce ? request('setRtpCapabilities', { rtpCapabilities: device.rtpCapabilities }) : undefined,
    ]);
  }

  /** Wires a send transport: its DataProducers and Producers are made through signaling requests. */
  private sendSide(send: Transport): Transport {
    this.watch(send);
    const { request } = this.options;
    send.on('producedata', ({ sctpStreamParameters, label = '', protocol = '', appData }, callback, errback) => {
      const channel = appData.channel as DataChannelKind;
      request('produceData', { transportId: send.id, channel, sctpStreamParameters, label, protocol }).then(callback, errback);
    });
    send.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      const { name, source } = appData as ProduceAppData;
      request('produce', { transportId: send.id, kind, rtpParameters, name, source }).then(callback, errback);
    });
    return send;
  }

  private async produceChannels(send: Transport): Promise<void> {
    const [reliable, lossy] = await Promise.all([this.produce(send, 'reliable'), this.produce(send, 'lossy')]);
    this.channels = { reliable, lossy };
    await this.lifecycle.opening([reliable, lossy], (producer) => new Promise((resolve) => producer.once('open', () => resolve())));
  }

  private async produce(send: Transport, channel: DataChannelKind): Promise<DataProducer> {
    const producer = await send.produceData({ ...CHANNEL_OPTIONS[channel], label: channel, appData: { channel } });
    this.failOn(producer, `the ${channel} send channel closed`);
    return producer;
  }

  private async consumeChannels(recv: Transport): Promise<void> {
    for (const info of Object.values(this.options.join.dataConsumers ?? {})) {
      const consumer = await recv.consumeData(info);
      consumer.binaryType = 'arraybuffer';
      consumer.on('message', (data) => this.options.onData(data));
      this.failOn(consumer, `the ${info.label} receive channel closed`);
    }
  }

  /** Wires the `connect` request and failure detection of a new transport. */
  private watch(transport: Transport): Transport {
    this.transports.push(transport);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.options.request('connectTransport', { transportId: transport.id, dtlsParameters }).then(() => callback(), errback);
    });
    transport.on('connectionstatechange', (state) => this.lifecycle.connectionState(transport, transport.direction, state));
    return transport;
  }

  private failOn(channel: { on(event: 'close', listener: () => void): unknown }, message: string): void {
    channel.on('close', () => this.lifecycle.fail(message));
  }
}
