import type { RtpCapabilities } from 'mediasoup-client/types';
import type { OutgoingChannels } from '../data-channel/data-plane.js';
import type { DisconnectedError } from '../errors.js';
import type { RequestMethod } from '../protocol/index.js';
import type { JoinResult, RequestParams, RequestResult } from '../signaling/server-frame.js';
import type { MediaSession } from './rtc-session.js';

/** Sends a signaling request; the session's only way to talk to the server. */
export type RequestFn = <M extends RequestMethod>(method: M, data: RequestParams<M>) => Promise<RequestResult<M>>;

/** How the transports gather ICE candidates. */
export interface IceSettings {
  /** The app's STUN/TURN servers; absent: those of the join result. */
  servers?: RTCIceServer[];
  /** Default `'all'`. */
  transportPolicy?: RTCIceTransportPolicy;
}

/** What a {@link TransportSession} gets from the connection, for one join. */
export interface SessionOptions {
  join: JoinResult;
  request: RequestFn;
  /** A message arrived on one of the receive channels. */
  onData: (data: unknown) => void;
  /** The session broke after it opened: a transport failed or a channel closed. */
  onFailure: (error: DisconnectedError) => void;
  /** How long to wait for the outgoing channels to open, in ms. */
  openTimeoutMs: number;
  /** How long a transport may stay `disconnected` before it counts as failed, in ms. */
  disconnectedGraceMs: number;
  /** Default: the join result's servers, every candidate type. */
  ice?: IceSettings;
}

/**
 * The WebRTC side of one join: the transports the join described and the data channels on
 * them. With media (mediasoup-client) it is an RtcSession; the data-only entry point uses a
 * DataSession on plain RTCPeerConnections.
 */
export interface TransportSession {
  /** Our outgoing channels; absent without the `sendData` grant. */
  readonly channels: OutgoingChannels | undefined;
  /** The media side, absent in a data-only session. */
  readonly media: MediaSession | undefined;
  /** What this device can receive, sent again when resuming; absent in a data-only session. */
  readonly rtpCapabilities: RtpCapabilities | undefined;
  /** True once the session is over (closed, or broken). */
  readonly closed: boolean;
  /** Sets up transports and channels; resolves once the outgoing channels are open. */
  start(): Promise<void>;
  /** Closes transports, channels and timers. */
  close(): void;
}

/** Makes the session of each join. */
export type SessionFactory = (options: SessionOptions) => TransportSession;
