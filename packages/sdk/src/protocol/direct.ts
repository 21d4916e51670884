/**
 * Signaling of direct peer-to-peer channels: the offer, answer and ICE candidates of one
 * `RTCPeerConnection` between two peers of a room, and the decisions around it. The server
 * relays these between peers whose tokens grant `direct`, stamps the sender and caps their size;
 * it never sees what the channel then carries.
 */

/** Message type of room messages that carry a direct channel's frames through the server. */
export const RELAY_MESSAGE_TYPE = 'sb.direct';

/** Longest SDP (offer or answer) the server relays, in characters. */
export const MAX_SDP_LENGTH = 16_384;
/** Longest ICE candidate line the server relays, in characters. */
export const MAX_CANDIDATE_LENGTH = 1_024;
/** Longest direct channel ID, in characters. */
export const MAX_DIRECT_CHANNEL_ID_LENGTH = 64;
/** Longest refusal or close reason, in characters. */
export const MAX_DIRECT_REASON_LENGTH = 256;

/** One step of opening, keeping or closing a direct channel. */
export type DirectSignal =
  /** The opener's SDP offer: the first one asks the peer to accept; later ones renegotiate. */
  | { type: 'offer'; sdp: string }
  /** The accepting peer's SDP answer; the first one means the channel was accepted. */
  | { type: 'answer'; sdp: string }
  /** A trickled ICE candidate (`candidate` empty at the end of candidates). */
  | { type: 'candidate'; candidate: string; sdpMid?: string; sdpMLineIndex?: number }
  /** The peer declines the channel. */
  | { type: 'refuse'; reason: string }
  /** Either side closes the channel for good. */
  | { type: 'close'; reason: string };

/** Signaling requests of direct channels (see `ClientRequests`). */
export interface DirectRequests {
  /** Relays one signal to `to`, a peer of the same room; both tokens need the `direct` grant. */
  directSignal: {
    params: { to: string; channelId: string; signal: DirectSignal };
    result: Record<string, never>;
  };
}

/** Notifications of direct channels (see `ServerNotifications`). */
export interface DirectNotifications {
  /** A signal from peer `from` (stamped by the server) about channel `channelId`. */
  directSignal: { from: string; channelId: string; signal: DirectSignal };
}
