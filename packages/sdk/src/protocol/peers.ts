/**
 * What a token allows. A missing grant is false, except that a token with no `grants` claim at
 * all gets {@link DEFAULT_GRANTS}.
 */
export interface Grants {
  /** Publish audio/video tracks. */
  publish: boolean;
  /** Receive other peers' audio/video tracks. */
  subscribe: boolean;
  /** Send data messages (and RPC requests). */
  sendData: boolean;
  /** Receive data messages. */
  receiveData: boolean;
  /** Kick peers and send as the server. */
  admin: boolean;
  /** Open direct peer-to-peer channels with peers that have it too (signaling relayed by the server). */
  direct: boolean;
}

/** Grants of a token that does not list any: a regular participant. */
export const DEFAULT_GRANTS: Readonly<Grants> = Object.freeze({
  publish: true,
  subscribe: true,
  sendData: true,
  receiveData: true,
  admin: false,
  direct: false,
});

/** The name of one grant, as tokens list them: `['publish', 'sendData']`. */
export type GrantName = keyof Grants;

/** Every grant name, in a fixed order. */
export const GRANT_NAMES: readonly GrantName[] = Object.freeze(Object.keys(DEFAULT_GRANTS) as GrantName[]);

/** Free-form, JSON/MessagePack-compatible data attached to a peer by its token. */
export type PeerMetadata = Record<string, unknown>;

/** A peer as every member of the room sees it. */
export interface PeerInfo {
  /** Unique, server-assigned ID of this session; the address for targeted messages. */
  id: string;
  /** Stable identity from the token (a user ID). At most one session per identity per room. */
  identity: string;
  /** Display name from the token, if any. */
  name?: string;
  /** Metadata from the token, if any. */
  metadata?: PeerMetadata;
  /** Server time (ms since epoch) when the peer joined. */
  joinedAt: number;
}

/** Claims of a Switchboard access token (an HS256 JWT). */
export interface TokenClaims {
  /** The room the token admits to. */
  room: string;
  /** The identity (JWT `sub`). */
  sub: string;
  name?: string;
  metadata?: PeerMetadata;
  /**
   * The grants the token gives, as a list of names; grants not listed are false. Without the
   * claim the token gets {@link DEFAULT_GRANTS}.
   */
  grants?: GrantName[];
  /**
   * The room's history policy, applied if the room has none yet when this token joins (the
   * token that opens the room, in practice); null asks for no history. See docs/http-api.md.
   */
  room_history?: RoomHistoryClaim | null;
  /** Expiry, seconds since epoch (JWT `exp`). */
  exp?: number;
}

/**
 * A room history policy as a token or the HTTP API gives it: keep the newest `limit` reliable
 * broadcasts whose type is in `types` and whose topic is in `topics` (a list left out matches
 * anything), at most `maxBytes` in all (default: the server's cap).
 */
export interface RoomHistoryClaim {
  limit: number;
  maxBytes?: number;
  types?: string[];
  topics?: string[];
}

/** The sender ID the server stamps on messages sent through its HTTP API. */
export const SERVER_SENDER_ID = 'server';
