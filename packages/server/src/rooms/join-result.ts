import type { WebRtcTransport } from 'mediasoup/types';
import type { ClientRequests, DataChannelKind, DataConsumerInfo, PeerInfo, TrackInfo } from '@switchboard/sdk/protocol';
import type { ServerConfig } from '../config.js';
import type { PlacedRouter } from '../media/router-set.js';
import { transportInfo } from '../media/peer-transports.js';
import type { Peer } from './peer.js';
import { streamLimits } from './room-context.js';

export type JoinResult = ClientRequests['join']['result'];

/** What a join (or resume) result is made of, besides the peer itself. */
export interface JoinParts {
  room: string;
  resumed: boolean;
  /** Every other peer of the room, on this node and others. */
  peers: PeerInfo[];
  /** Tracks of the other peers. */
  tracks: TrackInfo[];
  home: PlacedRouter;
  /** Absent for a viewer (neither sendData nor publish). */
  send: WebRtcTransport | undefined;
  recv: WebRtcTransport;
  dataConsumers: Record<DataChannelKind, DataConsumerInfo> | undefined;
  /** STUN/TURN fields for this peer. */
  ice: Partial<JoinResult>;
}

/** The answer to a successful join or resume. */
export function joinResult(peer: Peer, parts: JoinParts, config: ServerConfig): JoinResult {
  return {
    self: peer.info(),
    room: parts.room,
    grants: peer.grants,
    peers: parts.peers,
    resumeKey: peer.resumeKey,
    resumed: parts.resumed,
    lastAcceptedSeq: peer.settledSeq,
    ...(parts.resumed && peer.rejections.length > 0 ? { rejected: [...peer.rejections] } : {}),
    limits: {
      maxMessageSize: config.maxMessageSize,
      maxLossyMessageSize: config.maxMessageSize,
      messagesPerSecond: config.messagesPerSecond,
      messageBurst: config.messageBurst,
      streams: streamLimits(config),
    },
    routerRtpCapabilities: parts.home.router.rtpCapabilities as JoinResult['routerRtpCapabilities'],
    ...(parts.send ? { sendTransport: transportInfo(parts.send) } : {}),
    recvTransport: transportInfo(parts.recv),
    ...(parts.dataConsumers ? { dataConsumers: parts.dataConsumers } : {}),
    tracks: parts.tracks,
    serverTime: Date.now(),
    ...parts.ice,
  };
}
