import { SwitchboardError, type GrantName, type PeerMetadata, type RoomHistoryClaim } from '@switchboard/sdk/protocol';
import {
  checkClaims,
  DEFAULT_MAX_TOKEN_TTL_SECONDS,
  MIN_SECRET_LENGTH,
  signToken,
  verifyToken,
  type CheckedClaims,
  type TokenPolicy,
  type VerifiedToken,
} from './token.js';

/** What an access token says; see {@link AccessToken}. */
export interface AccessTokenOptions {
  /** The user, stable across sessions (JWT `sub`); one session per identity per room. */
  identity: string;
  /** The room the token admits to. */
  room: string;
  /** Display name shown to the other peers. */
  name?: string;
  /** Free-form data shown to the other peers. */
  metadata?: PeerMetadata;
  /**
   * The grants, as a list of names (`['subscribe', 'receiveData']` for a viewer); grants not
   * listed are false. Absent: every grant but `admin`.
   */
  grants?: readonly GrantName[];
  /**
   * The room's history policy (claim `room_history`), e.g. `{ limit: 50, types: ['comment'] }`:
   * applied if the room has no policy yet when this token joins; null asks for no history.
   */
  roomHistory?: RoomHistoryClaim | null;
  /**
   * Lifetime in seconds from signing; default one hour, at most `maxTtlSeconds`.
   */
  ttlSeconds?: number;
  /**
   * The server's `--max-token-ttl`, in seconds (default its default, a day): the server refuses
   * tokens that expire later than that from now, so a longer `ttlSeconds` is refused here.
   */
  maxTtlSeconds?: number;
}

/** Default lifetime of a token: long enough to join, short enough to leak little. */
export const DEFAULT_TOKEN_TTL_SECONDS = 3600;

/**
 * Builds access tokens in a backend: the token a browser passes to `connect()`.
 *
 * ```ts
 * const token = await new AccessToken(process.env.SWITCHBOARD_TOKEN_SECRET, {
 *   identity: user.id, room: 'lobby', name: user.name, grants: ['subscribe', 'receiveData'],
 * }).toJwt();
 * ```
 *
 * The secret is the server's `--token-secret`, used as its UTF-8 bytes (an HS256 key). Bad
 * options throw {@link SwitchboardError} `MALFORMED` here, so a token the server would refuse
 * is never signed.
 */
export class AccessToken {
  private readonly claims: CheckedClaims;
  private readonly ttlSeconds: number;

  constructor(
    private readonly secret: string,
    options: AccessTokenOptions,
  ) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
      throw malformed(`the token secret must be a string of at least ${MIN_SECRET_LENGTH} characters`);
    }
    const { identity, room, name, metadata, grants, roomHistory } = options;
    const { ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS, maxTtlSeconds = DEFAULT_MAX_TOKEN_TTL_SECONDS } = options;
    this.claims = checkClaims({ sub: identity, room, name, metadata, grants, room_history: roomHistory }, malformed);
    if (!Number.isInteger(maxTtlSeconds) || maxTtlSeconds < 1) throw malformed('maxTtlSeconds must be a whole number of at least 1');
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > maxTtlSeconds) {
      const why = maxTtlSeconds === DEFAULT_MAX_TOKEN_TTL_SECONDS ? "the server's default --max-token-ttl" : 'maxTtlSeconds';
      throw malformed(`ttlSeconds must be a whole number from 1 to ${maxTtlSeconds} (${why}); a server started with a longer --max-token-ttl takes a longer one if maxTtlSeconds says so`);
    }
    this.ttlSeconds = ttlSeconds;
  }

  /** The signed token (an HS256 JWT); each call signs anew, with its expiry counted from now. */
  toJwt(): Promise<string> {
    return signToken(this.claims, this.secret, this.ttlSeconds);
  }

  /**
   * Checks a token's signature, expiry and claims, as the server does at join (pass the
   * server's `--max-token-ttl` as `policy` if it is not the default day). Throws
   * {@link SwitchboardError} `INVALID_TOKEN` or `TOKEN_EXPIRED`.
   */
  static verify(token: string, secret: string, policy?: TokenPolicy): Promise<VerifiedToken> {
    return verifyToken(token, secret, policy);
  }
}

function malformed(message: string): SwitchboardError {
  return new SwitchboardError('MALFORMED', message);
}
