import * as fake from 'mediasoup-client/fakeParameters';
import { DEFAULT_GRANTS, type DataConsumerInfo, type Grants, type PeerInfo, type TransportInfo } from '../../src/protocol/index.js';
import type { JoinResult } from '../../src/signaling/server-frame.js';

/** A peer as the server would describe it. */
export function peerInfo(id: string, name = id): PeerInfo {
  return { id, identity: `user-${id}`, name, joinedAt: 1_700_000_000_000 };
}

function transport(): TransportInfo {
  return fake.generateTransportRemoteParameters() as TransportInfo;
}

function dataConsumer(label: string): DataConsumerInfo {
  const { id, dataProducerId, sctpStreamParameters } = fake.generateDataConsumerRemoteParameters();
  return { id, dataProducerId, sctpStreamParameters, label, protocol: '' };
}

/**
 * A `join` result with mediasoup-client's fake transport parameters, which its FakeHandler
 * accepts: enough for an RtcSession to run without WebRTC.
 */
export function joinResult(overrides: Omit<Partial<JoinResult>, 'grants'> & { grants?: Partial<Grants> } = {}): JoinResult {
  const { grants, ...rest } = overrides;
  return {
    self: peerInfo('me'),
    room: 'lobby',
    grants: { ...DEFAULT_GRANTS, ...grants },
    peers: [],
    resumeKey: 'resume-secret',
    tracks: [],
    resumed: false,
    lastAcceptedSeq: 0,
    limits: { maxMessageSize: 16 * 1024, messagesPerSecond: 100, messageBurst: 200 },
    routerRtpCapabilities: fake.generateRouterRtpCapabilities(),
    sendTransport: transport(),
    recvTransport: transport(),
    dataConsumers: { reliable: dataConsumer('reliable'), lossy: dataConsumer('lossy') },
    serverTime: Date.now(),
    ...rest,
  };
}
