import { errors, jwtVerify, SignJWT } from 'jose';
import {
  DEFAULT_GRANTS,
  GRANT_NAMES,
  SwitchboardError,
  type GrantName,
  type Grants,
  type PeerMetadata,
  type RoomHistoryClaim,
  type TokenClaims,
  unsafeTextReason,
} from '@switchboard/sdk/protocol';
import { MAX_METADATA_DEPTH, tooDeepField } from '../limits/nesting.js';
import { CLAIM_HISTORY_CAPS, parseHistoryPolicy } from '../history/history-policy.js';

/** What a verified token says about the peer. */
export interface VerifiedToken {
  room: string;
  identity: string;
  name?: string;
  metadata?: PeerMetadata;
  grants: Grants;
  /**
   * The `room_history` claim as given (null: no history), checked for shape; the room checks it
   * against the server's caps when it applies it.
   */
  roomHistory?: RoomHistoryClaim | null;
  /** Expiry in ms since epoch. */
  expiresAt: number;
}

/** The claims of a token, checked; what {@link verifyToken} returns without the expiry. */
export type CheckedClaims = Omit<VerifiedToken, 'expiresAt'>;

/** How strict {@link verifyToken} is about a token's lifetime. */
export interface TokenPolicy {
  /** Longest a token may still be valid from now, in seconds: a later `exp` is refused. */
  maxTtlSeconds: number;
}

/** The server's default `--max-token-ttl`: a day. */
export const DEFAULT_MAX_TOKEN_TTL_SECONDS = 24 * 3600;

/**
 * Seconds by which a token's `exp` (and `nbf`) may disagree with this server's clock: the
 * backend that signs tokens runs on another machine whose clock may be a little off.
 */
export const TOKEN_CLOCK_SKEW_SECONDS = 5;

/** Shortest token secret accepted: an HMAC key shorter than this is guessable. */
export const MIN_SECRET_LENGTH = 16;
const MAX_NAME_LENGTH = 256;
const MAX_ROOM_LENGTH = 256;

/**
 * The HMAC key of a token secret: the UTF-8 bytes of the string, used as they are (no base64 or
 * hex decoding), so any JWT library given the same string as an HS256 key signs tokens that
 * verify here.
 */
export function keyOf(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/**
 * Checks an access token's signature (HS256 only), expiry (required, and at most
 * `policy.maxTtlSeconds` ahead) and claims. Throws {@link SwitchboardError} `TOKEN_EXPIRED` or
 * `INVALID_TOKEN` with a message saying what is wrong.
 */
export async function verifyToken(
  token: string,
  secret: string,
  policy: TokenPolicy = { maxTtlSeconds: DEFAULT_MAX_TOKEN_TTL_SECONDS },
): Promise<VerifiedToken> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, keyOf(secret), {
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
      clockTolerance: TOKEN_CLOCK_SKEW_SECONDS,
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new SwitchboardError('TOKEN_EXPIRED', 'the access token has expired');
    throw new SwitchboardError('INVALID_TOKEN', `the access token is not valid (${(error as Error).message})`);
  }
  const invalid = (message: string) => new SwitchboardError('INVALID_TOKEN', `the access token is not valid: ${message}`);
  const claims = checkClaims(payload, invalid);
  // jose has checked that `exp` is a number in the future.
  const expiresAt = (payload.exp as number) * 1000;
  const latest = Date.now() + (policy.maxTtlSeconds + TOKEN_CLOCK_SKEW_SECONDS) * 1000;
  if (expiresAt > latest) {
    throw invalid(`claim "exp" lies more than ${policy.maxTtlSeconds} s ahead (the server's --max-token-ttl)`);
  }
  return { ...claims, expiresAt };
}

/**
 * Checks the claims of a token, whether read from a JWT or about to be signed, so a token
 * builder can never sign what the server would refuse. `fail` makes the error for a message.
 */
export function checkClaims(claims: Partial<Record<keyof TokenClaims, unknown>>, fail: (message: string) => Error): CheckedClaims {
  const { room, sub, name, metadata, grants, room_history: roomHistory } = claims;
  if (typeof room !== 'string' || room.length === 0 || room.length > MAX_ROOM_LENGTH) {
    throw fail(`claim "room" must be a string of 1 to ${MAX_ROOM_LENGTH} characters`);
  }
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_NAME_LENGTH) {
    throw fail(`identity (claim "sub") must be a string of 1 to ${MAX_NAME_LENGTH} characters`);
  }
  if (name !== undefined && (typeof name !== 'string' || name.length > MAX_NAME_LENGTH)) {
    throw fail(`claim "name" must be a string of at most ${MAX_NAME_LENGTH} characters`);
  }
  for (const [claim, text] of [['room', room], ['sub', sub], ['name', name]] as const) {
    const unsafe = text === undefined ? undefined : unsafeTextReason(text);
    if (unsafe !== undefined) throw fail(`claim "${claim}" ${unsafe}`);
  }
  if (metadata !== undefined && !isPlainObject(metadata)) throw fail('claim "metadata" must be an object');
  const deep = metadata === undefined ? undefined : tooDeepField(metadata, MAX_METADATA_DEPTH);
  if (deep !== undefined) throw fail(`claim "metadata.${deep}" nests deeper than ${MAX_METADATA_DEPTH} levels`);
  if (roomHistory !== undefined) {
    try {
      parseHistoryPolicy(roomHistory, CLAIM_HISTORY_CAPS, 'claim "room_history"');
    } catch (error) {
      throw fail((error as Error).message);
    }
  }
  return {
    room,
    identity: sub,
    ...(name === undefined ? {} : { name }),
    ...(metadata === undefined ? {} : { metadata: metadata as PeerMetadata }),
    grants: parseGrants(grants, fail),
    ...(roomHistory === undefined ? {} : { roomHistory: roomHistory as RoomHistoryClaim | null }),
  };
}

/** Signs checked claims as an HS256 JWT that expires `ttlSeconds` from now. */
export async function signToken(claims: CheckedClaims, secret: string, ttlSeconds: number): Promise<string> {
  const { room, identity, name, metadata, grants, roomHistory } = claims;
  const body: Omit<TokenClaims, 'sub' | 'exp'> = {
    room,
    ...(name === undefined ? {} : { name }),
    ...(metadata === undefined ? {} : { metadata }),
    ...(roomHistory === undefined ? {} : { room_history: roomHistory }),
    grants: GRANT_NAMES.filter((grant) => grants[grant]),
  };
  return new SignJWT({ ...body })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(identity)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(keyOf(secret));
}

// Grants are a list of names; an absent claim means the defaults, an empty list no grants.
function parseGrants(value: unknown, fail: (message: string) => Error): Grants {
  if (value === undefined) return { ...DEFAULT_GRANTS };
  if (!Array.isArray(value)) {
    throw fail(`claim "grants" must be a list of grant names, such as ["publish", "sendData"]; grants are ${GRANT_NAMES.join(', ')}`);
  }
  const grants = Object.fromEntries(GRANT_NAMES.map((grant) => [grant, false])) as unknown as Grants;
  for (const grant of value) {
    if (typeof grant !== 'string' || !(GRANT_NAMES as readonly string[]).includes(grant)) {
      throw fail(`unknown grant ${JSON.stringify(grant)}; grants are ${GRANT_NAMES.join(', ')}`);
    }
    grants[grant as GrantName] = true;
  }
  return grants;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
