import type { OutgoingChannel, ChannelEvent } from '../data-channel/channel.js';
import type { OutgoingChannels } from '../data-channel/data-plane.js';
import { DisconnectedError, TimeoutError } from '../errors.js';
import type { DataChannelKind, TransportInfo } from '../protocol/index.js';
import { readOffer, sctpAnswer } from './sctp-sdp.js';
import type { SessionOptions, TransportSession } from './session.js';

/** What a {@link DataSession} needs: the session options and the RTCPeerConnection class. */
export interface DataSessionOptions extends SessionOptions {
  RTCPeerConnection: typeof RTCPeerConnection;
}

// Our outgoing channels, negotiated on fixed SCTP stream IDs that the server learns from
// `produceData`: no in-band DataChannel handshake.
const SEND_CHANNELS: Record<DataChannelKind, RTCDataChannelInit & { id: number }> = {
  reliable: { negotiated: true, id: 0, ordered: true },
  lossy: { negotiated: true, id: 1, ordered: false, maxRetransmits: 0 },
};

/**
 * The WebRTC side of one join without mediasoup-client, for the data-only entry point: one
 * RTCPeerConnection per server transport, each with an SCTP-only SDP exchange made locally
 * (the server is ICE-lite and never sees SDP; it gets our DTLS fingerprint through
 * `connectTransport`), our two channels on the send transport and the server's two on the
 * receive transport.
 */
export class DataSession implements TransportSession {
  channels: OutgoingChannels | undefined;
  readonly media = undefined;
  readonly rtpCapabilities = undefined;
  private readonly connections: RTCPeerConnection[] = [];
  private readonly graceTimers = new Map<RTCPeerConnection, ReturnType<typeof setTimeout>>();
  private isClosed = false;
  private opened = false;
  private breakOpening: ((error: Error) => void) | undefined;

  constructor(private readonly options: DataSessionOptions) {}

  get closed(): boolean {
    return this.isClosed;
  }

  async start(): Promise<void> {
    try {
      await this.setUp();
      if (this.isClosed) throw new DisconnectedError('the WebRTC session was closed');
      this.opened = true;
    } catch (error) {
      this.close();
      throw error;
    }
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const timer of this.graceTimers.values()) clearTimeout(timer);
    for (const connection of this.connections) connection.close();
    this.breakOpening?.(new DisconnectedError('the WebRTC session was closed'));
  }

  private async setUp(): Promise<void> {
    const { join, request } = this.options;
    const steps: Promise<unknown>[] = [];
    if (join.grants.sendData) {
      const pc = this.peerConnection('send');
      const reliable = pc.createDataChannel('reliable', SEND_CHANNELS.reliable);
      const lossy = pc.createDataChannel('lossy', SEND_CHANNELS.lossy);
      for (const channel of [reliable, lossy]) this.failOn(channel, `the ${channel.label} send channel closed`);
      this.channels = { reliable: outgoing(reliable), lossy: outgoing(lossy) };
      steps.push(
        this.negotiate(pc, join.sendTransport).then(() =>
          Promise.all(
            (['reliable', 'lossy'] as const).map((channel) => {
              const { id, ordered, maxRetransmits } = SEND_CHANNELS[channel];
              const sctpStreamParameters = { streamId: id, ordered, ...(maxRetransmits === undefined ? {} : { maxRetransmits }) };
              return request('produceData', { transportId: join.sendTransport.id, channel, sctpStreamParameters, label: channel, protocol: '' });
            }),
          ),
        ),
        this.opening([reliable, lossy]),
      );
    }
    const consumers = Object.values(join.dataConsumers ?? {});
    if (consumers.length > 0) {
      const pc = this.peerConnection('recv');
      for (const { label, sctpStreamParameters } of consumers) {
        const { streamId, ordered, maxRetransmits } = sctpStreamParameters;
        const channel = pc.createDataChannel(label, {
          negotiated: true,
          id: streamId,
          ordered: ordered ?? true,
          ...(maxRetransmits === undefined ? {} : { maxRetransmits }),
        });
        channel.binaryType = 'arraybuffer';
        channel.addEventListener('message', (event) => this.options.onData(event.data));
        this.failOn(channel, `the ${label} receive channel closed`);
      }
      steps.push(this.negotiate(pc, join.recvTransport));
    }
    await Promise.all(steps);
  }

  private peerConnection(direction: 'send' | 'recv'): RTCPeerConnection {
    const { ice = {}, join } = this.options;
    const pc = new this.options.RTCPeerConnection({
      iceServers: ice.servers ?? join.iceServers ?? [],
      iceTransportPolicy: ice.transportPolicy ?? 'all',
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
    });
    this.connections.push(pc);
    pc.addEventListener('connectionstatechange', () => {
      const state = pc.connectionState;
      clearTimeout(this.graceTimers.get(pc));
      this.graceTimers.delete(pc);
      if (state === 'failed' || state === 'closed') {
        this.fail(`the ${direction} transport ${state}`);
      } else if (state === 'disconnected') {
        // ICE often recovers from a short 'disconnected' by itself; only a long one is a failure.
        const timer = setTimeout(() => this.fail(`the ${direction} transport stayed disconnected`), this.options.disconnectedGraceMs);
        this.graceTimers.set(pc, timer);
      }
    });
    return pc;
  }

  // Our offer, the server told our DTLS fingerprint (we are the DTLS client), then the
  // server's side as the answer, which starts ICE.
  private async negotiate(pc: RTCPeerConnection, transport: TransportInfo): Promise<void> {
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const facts = readOffer(offer.sdp ?? '');
    await this.options.request('connectTransport', {
      transportId: transport.id,
      dtlsParameters: { role: 'client', fingerprints: [facts.fingerprint] },
    });
    if (this.isClosed) throw new DisconnectedError('the WebRTC session was closed');
    await pc.setRemoteDescription({ type: 'answer', sdp: sctpAnswer(transport, facts) });
  }

  /** Resolves when `channels` are open; rejects on timeout or when the session breaks first. */
  private opening(channels: RTCDataChannel[]): Promise<void> {
    const { openTimeoutMs } = this.options;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`data channels not open within ${openTimeoutMs} ms`)), openTimeoutMs);
      this.breakOpening = reject;
    });
    const open = channels.map((channel) =>
      channel.readyState === 'open' ? undefined : new Promise<void>((resolve) => channel.addEventListener('open', () => resolve(), { once: true })),
    );
    return Promise.race([Promise.all(open).then(() => undefined), timeout]).finally(() => clearTimeout(timer));
  }

  private failOn(channel: RTCDataChannel, message: string): void {
    channel.addEventListener('close', () => this.fail(message));
  }

  private fail(message: string): void {
    if (this.isClosed) return;
    const error = new DisconnectedError(message);
    this.breakOpening?.(error);
    this.close();
    if (this.opened) this.options.onFailure(error);
  }
}

/** An RTCDataChannel as the data plane's senders use it. */
function outgoing(channel: RTCDataChannel): OutgoingChannel {
  return {
    get readyState() {
      return channel.readyState;
    },
    get bufferedAmount() {
      return channel.bufferedAmount;
    },
    get bufferedAmountLowThreshold() {
      return channel.bufferedAmountLowThreshold;
    },
    set bufferedAmountLowThreshold(bytes: number) {
      channel.bufferedAmountLowThreshold = bytes;
    },
    // Envelopes are encoded into plain ArrayBuffers, never shared ones.
    send: (data) => channel.send(data as Uint8Array<ArrayBuffer>),
    on: (event: ChannelEvent, listener: () => void) => channel.addEventListener(event, listener),
    off: (event: ChannelEvent, listener: () => void) => channel.removeEventListener(event, listener),
  };
}
