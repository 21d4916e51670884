import {
  MAX_CANDIDATE_LENGTH,
  MAX_DIRECT_CHANNEL_ID_LENGTH,
  MAX_DIRECT_REASON_LENGTH,
  MAX_NAME_LENGTH,
  MAX_SDP_LENGTH,
  parseGrantChange,
  ProtocolError,
  SwitchboardError,
  unsafeTextReason,
  type ClientRequests,
  type DirectSignal,
  type RequestMethod,
  type TrackSource,
} from '@switchboard/sdk/protocol';
import { MAX_METADATA_DEPTH, tooDeepField } from '../limits/nesting.js';

type Params<M extends RequestMethod> = ClientRequests[M]['params'];
type Record_ = Record<string, unknown>;

const MAX_TOPICS = 256;

/**
 * Checks the shape of a request's parameters before anything acts on them. mediasoup's own
 * parameter objects (DTLS, SCTP stream, RTP capabilities) are checked only for being objects:
 * mediasoup validates their insides and its errors are turned into MALFORMED too.
 */
export const validators: { [M in RequestMethod]: (data: Record_) => Params<M> } = {
  join(data) {
    const params: Params<'join'> = { protocolVersion: integer(data.protocolVersion, 'protocolVersion') };
    if (data.token !== undefined) params.token = string(data.token, 'token', 8192);
    if (data.room !== undefined) params.room = string(data.room, 'room', 256);
    if (data.topics !== undefined) params.topics = topicList(data.topics);
    if (data.resume !== undefined) {
      const resume = object(data.resume, 'resume');
      params.resume = {
        peerId: string(resume.peerId, 'resume.peerId', 64),
        resumeKey: string(resume.resumeKey, 'resume.resumeKey', 128),
        lastReceivedSeq: integer(resume.lastReceivedSeq, 'resume.lastReceivedSeq'),
        ...(resume.room === undefined ? {} : { room: string(resume.room, 'resume.room', 256) }),
      };
    }
    if (params.token === undefined && params.resume === undefined) fail('join needs a token or resume');
    if (data.rtpCapabilities !== undefined) {
      params.rtpCapabilities = object(data.rtpCapabilities, 'rtpCapabilities') as Params<'join'>['rtpCapabilities'];
    }
    return params;
  },
  connectTransport(data) {
    return {
      transportId: string(data.transportId, 'transportId', 64),
      dtlsParameters: object(data.dtlsParameters, 'dtlsParameters') as Params<'connectTransport'>['dtlsParameters'],
    };
  },
  produceData(data) {
    const channel = data.channel;
    if (channel !== 'reliable' && channel !== 'lossy') fail('channel must be "reliable" or "lossy"');
    return {
      transportId: string(data.transportId, 'transportId', 64),
      channel,
      sctpStreamParameters: object(data.sctpStreamParameters, 'sctpStreamParameters') as Params<'produceData'>['sctpStreamParameters'],
      label: string(data.label ?? '', 'label', MAX_NAME_LENGTH, true),
      protocol: string(data.protocol ?? '', 'protocol', MAX_NAME_LENGTH, true),
    };
  },
  setTopics(data) {
    return { topics: topicList(data.topics) };
  },
  updateSelf(data) {
    const params: Params<'updateSelf'> = {};
    if (data.name !== undefined) params.name = displayText(string(data.name, 'name', 256, true), 'name');
    if (data.metadata !== undefined) {
      params.metadata = object(data.metadata, 'metadata');
      const deep = tooDeepField(params.metadata, MAX_METADATA_DEPTH);
      if (deep !== undefined) fail(`metadata.${deep} nests deeper than ${MAX_METADATA_DEPTH} levels`);
    }
    return params;
  },
  setGrants(data) {
    return { peerId: string(data.peerId, 'peerId', 64), ...parseGrantChange(data) };
  },
  kick(data) {
    const params: Params<'kick'> = { peerId: string(data.peerId, 'peerId', 64) };
    if (data.reason !== undefined) params.reason = displayText(string(data.reason, 'reason', 512, true), 'reason');
    return params;
  },
  leave(data) {
    const params: Params<'leave'> = {};
    if (data.sent !== undefined) params.sent = integer(data.sent, 'sent');
    return params;
  },
  directSignal(data) {
    return {
      to: string(data.to, 'to', 64),
      channelId: string(data.channelId, 'channelId', MAX_DIRECT_CHANNEL_ID_LENGTH),
      signal: directSignal(object(data.signal, 'signal')),
    };
  },
  produce(data) {
    const kind = data.kind;
    if (kind !== 'audio' && kind !== 'video') fail('kind must be "audio" or "video"');
    const source = data.source ?? (kind === 'audio' ? 'microphone' : 'camera');
    if (!TRACK_SOURCES.includes(source as TrackSource)) fail(`source must be one of ${TRACK_SOURCES.join(', ')}`);
    return {
      transportId: string(data.transportId, 'transportId', 64),
      kind,
      rtpParameters: object(data.rtpParameters, 'rtpParameters') as Params<'produce'>['rtpParameters'],
      name: string(data.name, 'name', MAX_NAME_LENGTH),
      source: source as TrackSource,
    };
  },
  setRtpCapabilities: (data) => ({
    rtpCapabilities: object(data.rtpCapabilities, 'rtpCapabilities') as Params<'setRtpCapabilities'>['rtpCapabilities'],
  }),
  closeProducer: (data) => ({ trackId: string(data.trackId, 'trackId', 64) }),
  pauseProducer: (data) => ({ trackId: string(data.trackId, 'trackId', 64) }),
  resumeProducer: (data) => ({ trackId: string(data.trackId, 'trackId', 64) }),
  consume: (data) => ({ trackId: string(data.trackId, 'trackId', 64) }),
  resumeConsumer: (data) => ({ consumerId: string(data.consumerId, 'consumerId', 64) }),
  pauseConsumer: (data) => ({ consumerId: string(data.consumerId, 'consumerId', 64) }),
  closeConsumer: (data) => ({ consumerId: string(data.consumerId, 'consumerId', 64) }),
  setPreferredLayers(data) {
    const params: Params<'setPreferredLayers'> = {
      consumerId: string(data.consumerId, 'consumerId', 64),
      spatialLayer: integer(data.spatialLayer, 'spatialLayer'),
    };
    if (data.temporalLayer !== undefined) params.temporalLayer = integer(data.temporalLayer, 'temporalLayer');
    return params;
  },
};

const TRACK_SOURCES: readonly TrackSource[] = ['camera', 'microphone', 'screen', 'custom'];

// Only the fields of each signal are relayed, so nothing else a client adds reaches the peer.
function directSignal(signal: Record_): DirectSignal {
  switch (signal.type) {
    case 'offer':
    case 'answer':
      return { type: signal.type, sdp: capped(signal.sdp, 'signal.sdp', MAX_SDP_LENGTH) };
    case 'candidate': {
      const candidate: DirectSignal = { type: 'candidate', candidate: capped(signal.candidate, 'signal.candidate', MAX_CANDIDATE_LENGTH, true) };
      if (signal.sdpMid !== undefined && signal.sdpMid !== null) candidate.sdpMid = string(signal.sdpMid, 'signal.sdpMid', 64, true);
      if (signal.sdpMLineIndex !== undefined && signal.sdpMLineIndex !== null) {
        candidate.sdpMLineIndex = integer(signal.sdpMLineIndex, 'signal.sdpMLineIndex');
      }
      return candidate;
    }
    case 'refuse':
    case 'close':
      return { type: signal.type, reason: displayText(string(signal.reason ?? '', 'signal.reason', MAX_DIRECT_REASON_LENGTH, true), 'signal.reason') };
    default:
      return fail('signal.type must be one of offer, answer, candidate, refuse, close');
  }
}

// A string whose length is checked apart from its type: too long is MESSAGE_TOO_LARGE, not MALFORMED.
function capped(value: unknown, name: string, maxLength: number, allowEmpty = false): string {
  if (typeof value !== 'string' || (!allowEmpty && value.length === 0)) fail(`${name} must be a ${allowEmpty ? '' : 'non-empty '}string`);
  if (value.length > maxLength) throw new SwitchboardError('MESSAGE_TOO_LARGE', `${name} has ${value.length} characters; the limit is ${maxLength}`);
  return value;
}

function topicList(value: unknown): string[] | null {
  if (value === null) return null;
  if (!Array.isArray(value) || value.length > MAX_TOPICS) fail(`topics must be null or a list of at most ${MAX_TOPICS} strings`);
  return value.map((t, i) => string(t, `topics[${i}]`, MAX_NAME_LENGTH));
}

function string(value: unknown, name: string, maxLength: number, allowEmpty = false): string {
  if (typeof value !== 'string' || value.length > maxLength || (!allowEmpty && value.length === 0)) {
    fail(`${name} must be a ${allowEmpty ? '' : 'non-empty '}string of at most ${maxLength} characters`);
  }
  return value;
}

// Names other peers display must read the same everywhere (see unsafeTextReason).
function displayText(value: string, name: string): string {
  const unsafe = unsafeTextReason(value);
  if (unsafe !== undefined) fail(`${name} ${unsafe}`);
  return value;
}

function integer(value: unknown, name: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) fail(`${name} must be a non-negative integer`);
  return value as number;
}

function object(value: unknown, name: string): Record_ {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${name} must be a map`);
  return value as Record_;
}

function fail(message: string): never {
  throw new ProtocolError('MALFORMED', message);
}
