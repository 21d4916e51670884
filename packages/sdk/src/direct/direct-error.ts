import { SwitchboardError, type ErrorCode } from '../protocol/index.js';

/**
 * A direct channel could not open or ended: `REFUSED` (the peer declined), `PERMISSION_DENIED`
 * (a token lacks the `direct` grant), `UNKNOWN_TARGET` (no such peer), `PEER_LEFT`, `TIMEOUT`
 * (no answer), `DISCONNECTED` (the room ended), `UNAVAILABLE` (the page could not load the
 * channel code, which is fetched on first use), or the server's refusal of a signal.
 */
export class DirectChannelError extends SwitchboardError {
  /** The peer at the other end. */
  readonly peerId: string;

  constructor(code: ErrorCode, message: string, peerId: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'DirectChannelError';
    this.peerId = peerId;
  }
}
