import type { WebRtcTransport } from 'mediasoup/types';
import { SwitchboardError, type TransportInfo } from '@switchboard/sdk/protocol';
import type { ServerConfig } from '../config.js';
import type { PlacedRouter } from './router-set.js';
import { useCompactSctpStreamIds } from './sctp-stream-ids.js';

/**
 * Creates a connection's receive transport on its router, and its send transport when `withSend`
 * (the peer may send data or publish): a viewer's send transport would cost the worker an ICE
 * and DTLS endpoint, and the client a second RTCPeerConnection, for nothing.
 */
export async function openPeerTransports(
  home: PlacedRouter,
  config: ServerConfig,
  withSend: boolean,
): Promise<{ send: WebRtcTransport | undefined; recv: WebRtcTransport }> {
  const create = async (initialAvailableOutgoingBitrate?: number) => {
    const transport = await home.router.createWebRtcTransport({
      webRtcServer: home.worker.webRtcServer,
      enableSctp: true,
      maxSendMessageSize: config.maxMessageSize * 2 + 1024,
      maxReceiveMessageSize: config.maxMessageSize * 2 + 1024,
      sctpSendBufferSize: config.sctpSendBufferBytes,
      // Only the receive transport sends media. Its bandwidth estimate starting at mediasoup's
      // 600 kbit/s held new viewers below the top simulcast layer for seconds after joining.
      ...(initialAvailableOutgoingBitrate === undefined ? {} : { initialAvailableOutgoingBitrate }),
    });
    useCompactSctpStreamIds(transport);
    return transport;
  };
  const send = withSend ? await create() : undefined;
  try {
    const recv = await create(config.initialOutgoingBitrate);
    if (send && config.maxIncomingBitrate > 0) await send.setMaxIncomingBitrate(config.maxIncomingBitrate);
    return { send, recv };
  } catch (error) {
    send?.close();
    throw error;
  }
}

/** What the client needs to connect to one of its transports. */
export function transportInfo(transport: WebRtcTransport): TransportInfo {
  const sctp = transport.sctpParameters;
  if (!sctp) throw new SwitchboardError('INTERNAL', 'transport without SCTP');
  return {
    id: transport.id,
    iceParameters: transport.iceParameters,
    iceCandidates: transport.iceCandidates as TransportInfo['iceCandidates'],
    dtlsParameters: transport.dtlsParameters as TransportInfo['dtlsParameters'],
    sctpParameters: sctp,
  };
}

