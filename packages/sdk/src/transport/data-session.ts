import type { OutgoingChannel, ChannelEvent } from '../data-channel/channel.js';
import type { OutgoingChannels } from '../data-channel/data-plane.js';
import type { DataChannelKind, TransportInfo } from '../protocol/index.js';
import { readOffer, sctpAnswer } from './sctp-sdp.js';
import { SessionLifecycle } from './session-lifecycle.js';
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
  private readonly lifecycle: SessionLifecycle;

  constructor(private readonly options: DataSessionOptions) {
    this.lifecycle = new SessionLifecycle(options, () => {
      for (const connection of this.connections) connection.close();
    });
  }

  get closed(): boolean {
    return this.lifecycle.closed;
  }

  start(): Promise<void> {
    return this.lifecycle.start(() => this.setUp());
  }

  close(): void {
    this.lifecycle.close();
  }

  private async setUp(): Promise<void> {
    const { join, request } = this.options;
    const steps: Promise<unknown>[] = [];
    // A viewer (neither sendData nor publish) gets no send transport: nothing to connect.
    const sendTransport = join.sendTransport;
    if (join.grants.sendData && sendTransport) {
      const pc = this.peerConnection('send');
      const reliable = pc.createDataChannel('reliable', SEND_CHANNELS.reliable);
      const lossy = pc.createDataChannel('lossy', SEND_CHANNELS.lossy);
      for (const channel of [reliable, lossy]) this.failOn(channel, `the ${channel.label} send channel closed`);
      this.channels = { reliable: outgoing(reliable), lossy: outgoing(lossy) };
      steps.push(
        this.negotiate(pc, sendTransport).then(() =>
          Promise.all(
            (['reliable', 'lossy'] as const).map((channel) => {
              const { id, ordered, maxRetransmits } = SEND_CHANNELS[channel];
              const sctpStreamParameters = { streamId: id, ordered, ...(maxRetransmits === undefined ? {} : { maxRetransmits }) };
              return request('produceData', { transportId: sendTransport.id, channel, sctpStreamParameters, label: channel, protocol: '' });
            }),
          ),
        ),
        this.lifecycle.opening([reliable, lossy], (channel) => new Promise((resolve) => channel.addEventListener('open', () => resolve(), { once: true }))),
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
    pc.addEventListener('connectionstatechange', () => this.lifecycle.connectionState(pc, direction, pc.connectionState));
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
    this.lifecycle.throwIfClosed();
    await pc.setRemoteDescription({ type: 'answer', sdp: sctpAnswer(transport, facts) });
  }

  private failOn(channel: RTCDataChannel, message: string): void {
    channel.addEventListener('close', () => this.lifecycle.fail(message));
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
