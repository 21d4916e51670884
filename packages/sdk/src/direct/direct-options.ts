/** How the peer at the other end decides on channels it did not open. */
export type IncomingDirectPolicy = 'ask' | 'accept' | 'refuse';

/** Options of one direct channel, given to `openDirect` or to an incoming request's `accept`. */
export interface DirectChannelOptions {
  /** STUN/TURN servers (default: the room's, i.e. `connect`'s `iceServers` or the server's). */
  iceServers?: RTCIceServer[];
  /** `'relay'` sends everything through TURN (default `'all'`). */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** How long ICE may take before messages go through the server instead, in ms (default 3000). */
  fallbackMs?: number;
  /** How long the peer may take to accept, in ms (default 30000); then `openDirect` fails with `TIMEOUT`. */
  acceptTimeoutMs?: number;
  /**
   * Local ICE candidates for which this returns false are not sent to the peer, e.g. to keep
   * traffic to one network. Returning false for every candidate keeps the channel on the relay.
   */
  candidateFilter?: (candidate: string) => boolean;
}

/** Direct channel settings of a room (`connect`'s `direct` option). */
export interface DirectOptions extends DirectChannelOptions {
  /**
   * What to do with channels other peers open: `'ask'` (default) emits `directRequest` with
   * accept/refuse, `'accept'` and `'refuse'` decide without asking (accepted ones are
   * announced by `directChannel`).
   */
  incoming?: IncomingDirectPolicy;
}

export const DEFAULT_FALLBACK_MS = 3_000;
export const DEFAULT_ACCEPT_TIMEOUT_MS = 30_000;
