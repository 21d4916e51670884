import type {
  DtlsParameters,
  IceCandidate,
  IceParameters,
  RtpCapabilities,
  SctpParameters,
  SctpStreamParameters,
} from 'mediasoup-client/types';
import { encode } from './codec.js';
import type { DirectNotifications, DirectRequests } from './direct.js';
import type { WireError } from './error-codes.js';
import type { MediaNotifications, MediaRequests, TrackInfo } from './media.js';
import type { GrantName, Grants, PeerInfo, PeerMetadata } from './peers.js';

/**
 * Version of this protocol; `join` carries it and the server refuses others with `UNSUPPORTED`.
 * 2: deliveries may come in batches (see `batch.ts`), which a version 1 SDK could not read.
 * 3: a delivered envelope carries its payload as a nested MessagePack value, not as binary
 * (see `encodeDelivered`), which a version 2 SDK would hand to its listeners undecoded.
 * 4: a client may send several outgoing envelopes as one batch (see `batch.ts`), which a version
 * 3 server would refuse as `MALFORMED`.
 * 5: direct channels frame their messages in binary (docs/protocol.md), which a version 4 SDK
 * would drop as malformed. The server admits one version, so the two ends of a direct channel,
 * peers of one room, always frame alike.
 * 6: one WebSocket message from the server may hold several frames back to back (room
 * notifications sent together, see `decodeEach`), which a version 5 SDK would refuse as trailing bytes.
 */
export const PROTOCOL_VERSION = 6;

/** Path of the signaling WebSocket on the server. */
export const SIGNALING_PATH = '/rtc';

/** The two data channels every peer sends and receives on. */
export type DataChannelKind = 'reliable' | 'lossy';

/** What a client needs to create one mediasoup-client transport. */
export interface TransportInfo {
  id: string;
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  dtlsParameters: DtlsParameters;
  sctpParameters: SctpParameters;
}

/**
 * A STUN or TURN server for ICE, in the shape of the browser's `RTCIceServer`. TURN entries
 * carry a short-lived username and credential (TURN REST API).
 */
export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/** A server-side DataConsumer the client mirrors on its receive transport. */
export interface DataConsumerInfo {
  id: string;
  dataProducerId: string;
  sctpStreamParameters: SctpStreamParameters;
  label: string;
  protocol: string;
}

/** Limits the server enforces, told to the client so it can reject early. */
export interface Limits {
  /** Largest data envelope accepted, in bytes. */
  maxMessageSize: number;
  /**
   * Largest lossy data envelope the server delivers, in bytes (absent from older servers, whose
   * limit was `maxMessageSize`).
   */
  maxLossyMessageSize?: number;
  /** Sustained data messages per second per peer. */
  messagesPerSecond: number;
  /** Messages a peer may send in a burst above the sustained rate. */
  messageBurst: number;
  /**
   * Stream limits (absent from servers older than streams): open streams per peer, bytes per
   * stream (0 = no limit), and the byte rate and burst of one peer's stream chunks.
   */
  streams?: StreamLimits;
}

/** The server's limits on one peer's streams. */
export interface StreamLimits {
  maxOpen: number;
  maxBytes: number;
  bytesPerSecond: number;
  burstBytes: number;
}

/** Session resumption after a dropped connection. */
export interface ResumeRequest {
  peerId: string;
  /** Secret returned by the first `join`; proves the session is ours. */
  resumeKey: string;
  /** Room sequence number of the last reliable message received. */
  lastReceivedSeq: number;
  /** The session's room: lets another node of a cluster take the session over (its node died). */
  room?: string;
}

/** Requests a client sends, by method: parameters and result (media ones in {@link MediaRequests}, direct channels' in {@link DirectRequests}). */
export interface ClientRequests extends MediaRequests, DirectRequests {
  join: {
    params: {
      protocolVersion: number;
      /** Access token; required unless resuming. */
      token?: string;
      /** The room the client means to join; refused if the token is for another room. */
      room?: string;
      /** Initial topic filter (see `setTopics`); ignored when resuming, which keeps the filter. */
      topics?: string[] | null;
      resume?: ResumeRequest;
      rtpCapabilities?: RtpCapabilities;
    };
    result: {
      self: PeerInfo;
      room: string;
      grants: Grants;
      peers: PeerInfo[];
      resumeKey: string;
      /** True when an earlier session was resumed. */
      resumed: boolean;
      /** Highest sequence number of our reliable messages the server has processed. */
      lastAcceptedSeq: number;
      /**
       * On a resume: the session's latest refusals of reliable messages (at most
       * {@link MAX_REMEMBERED_REJECTIONS}), whose `messageRejected` the client may have missed
       * while disconnected; the messages up to `lastAcceptedSeq` not listed were accepted.
       */
      rejected?: { seq: number; error: WireError }[];
      limits: Limits;
      routerRtpCapabilities: RtpCapabilities;
      /**
       * Absent for a peer granted neither `sendData` nor `publish` (a viewer): the server makes
       * no transport it could not use. A viewer granted either later gets one on its next
       * resume, which the SDK starts itself.
       */
      sendTransport?: TransportInfo;
      recvTransport: TransportInfo;
      /** Present when the token grants `receiveData`. */
      dataConsumers?: Record<DataChannelKind, DataConsumerInfo>;
      /** Tracks published in the room so far (others join later with `trackPublished`). */
      tracks: TrackInfo[];
      /** Server clock (ms since epoch) when it answered. */
      serverTime: number;
      /**
       * STUN/TURN servers the server's operator configured, with short-lived TURN credentials;
       * absent when none are. The client uses them for both transports unless the app gives its own.
       */
      iceServers?: IceServer[];
    };
  };
  connectTransport: {
    params: { transportId: string; dtlsParameters: DtlsParameters };
    result: Record<string, never>;
  };
  produceData: {
    params: {
      transportId: string;
      channel: DataChannelKind;
      sctpStreamParameters: SctpStreamParameters;
      label: string;
      protocol: string;
    };
    result: { id: string };
  };
  /** Which topics' broadcasts to receive: a list, or null for all (the default). */
  setTopics: {
    params: { topics: string[] | null };
    result: Record<string, never>;
  };
  /** Changes the peer's own name/metadata; everyone gets `peerUpdated`. */
  updateSelf: {
    params: { name?: string; metadata?: PeerMetadata };
    result: { self: PeerInfo };
  };
  /** Removes another peer from the room (admin grant). */
  kick: {
    params: { peerId: string; reason?: string };
    result: Record<string, never>;
  };
  /**
   * Changes another peer's grants (admin grant): `grants` replaces them all, or `grant` and
   * `revoke` add and remove some. The peer gets `grantsChanged`, the others `peerGrantsChanged`.
   */
  setGrants: {
    params: GrantChange & { peerId: string };
    result: { grants: Grants };
  };
  /**
   * Leaves the room. `sent`: the number of the last reliable message this peer handed to its
   * channel. The request travels by the WebSocket, the messages by SCTP through a media worker,
   * so the request can arrive first: the server waits until it has settled the messages up to
   * `sent` (at most {@link LEAVE_SETTLE_MS}) before it closes the peer's channels.
   */
  leave: {
    params: { sent?: number };
    result: Record<string, never>;
  };
}

/** Longest a `leave` waits for the leaving peer's last messages to arrive. */
export const LEAVE_SETTLE_MS = 2000;

/** Most refusals a resume reports in its join result (`rejected`). */
export const MAX_REMEMBERED_REJECTIONS = 64;

/** A change of a peer's grants: a whole new list, or grants to add and to remove. */
export type GrantChange = { grants: GrantName[]; grant?: never; revoke?: never } | { grants?: never; grant?: GrantName[]; revoke?: GrantName[] };

/** Why a session ended, as told by the server or decided by the client. */
export type CloseReason =
  | 'left'
  | 'kicked'
  | 'duplicateIdentity'
  | 'serverShutdown'
  | 'resumeFailed'
  | 'reconnectTimeout'
  | 'protocolError';

/** Notifications the server pushes, by name (media ones in {@link MediaNotifications}, direct channels' in {@link DirectNotifications}). */
export interface ServerNotifications extends MediaNotifications, DirectNotifications {
  peerJoined: { peer: PeerInfo };
  peerLeft: { peerId: string; reason: CloseReason | 'timeout' };
  peerUpdated: { peer: PeerInfo };
  /** An admin or the server changed this peer's grants; they apply from now on. */
  grantsChanged: { grants: Grants; previous: Grants };
  /** An admin or the server changed another peer's grants. */
  peerGrantsChanged: { peerId: string; grants: Grants };
  /** Reliable messages up to `seq` (this peer's numbering) are processed and need no replay. */
  ack: { seq: number };
  /** A data message of ours was not delivered. */
  messageRejected: { channel: DataChannelKind; seq: number; error: WireError };
  /**
   * Reliable messages of the room numbered `fromSeq`..`toSeq` that this peer has not received
   * never will be (the cluster's Redis lost them, or this server fell too far behind to read
   * them); some numbers in the range may never have been used.
   */
  messagesLost: { fromSeq: number; toSeq: number };
  /** The server ends this session; the socket closes right after. */
  closed: { reason: CloseReason; message: string };
}

/** Name of a client request. */
export type RequestMethod = keyof ClientRequests;
/** Name of a server notification. */
export type NotificationName = keyof ServerNotifications;

/** Client → server request frame. */
export interface RequestFrame<M extends RequestMethod = RequestMethod> {
  type: 'request';
  id: number;
  method: M;
  data: ClientRequests[M]['params'];
}

/** Server → client answer to a request with the same `id`. */
export type ResponseFrame<M extends RequestMethod = RequestMethod> =
  | { type: 'response'; id: number; ok: true; data: ClientRequests[M]['result'] }
  | { type: 'response'; id: number; ok: false; error: WireError };

/** Server → client notification frame. */
export interface NotificationFrame<N extends NotificationName = NotificationName> {
  type: 'notification';
  method: N;
  data: ServerNotifications[N];
}

/** Any frame the server sends. */
export type ServerFrame = ResponseFrame | NotificationFrame;

/**
 * A notification frame's bytes, encoded once: a room's news (a peer joined, a track was
 * published) goes to every member, and encoding it per member made a join in a room of N cost
 * N encodes.
 */
export function encodeNotification<N extends NotificationName>(method: N, data: ServerNotifications[N]): Uint8Array {
  const frame: NotificationFrame<N> = { type: 'notification', method, data };
  return encode(frame);
}
