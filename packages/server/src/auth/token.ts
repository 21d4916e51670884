import { errors, jwtVerify, SignJWT } from 'jose';
import {
  DEFAULT_GRANTS,
  SwitchboardError,
  type Grants,
  type PeerMetadata,
  type TokenClaims,
  unsafeTextReason,
} from '@switchboard/sdk/protocol';
import { MAX_METADATA_DEPTH, tooDeepField } from '../limits/nesting.js';

/** What a verified token says about the peer. */
export interface VerifiedToken {
  room: string;
  identity: string;
  name?: string;
  metadata?: PeerMetadata;
  grants: Grants;
  /** Expiry in ms since epoch. */
  expiresAt: number;
}

/** How strict {@link verifyToken} is about a token's lifetime. */
export interface TokenPolicy {
  /** Longest a token may still be valid from now, in seconds: a later `exp` is refused. */
  maxTtlSeconds: number;
}

/**
 * Seconds by which a token's `exp` (and `nbf`) may disagree with this server's clock: the
 * backend that signs tokens runs on another machine whose clock may be a little off.
 */
export const TOKEN_CLOCK_SKEW_SECONDS = 5;

const GRANT_NAMES = Object.keys(DEFAULT_GRANTS) as (keyof Grants)[];
const MAX_NAME_LENGTH = 256;
const MAX_ROOM_LENGTH = 256;

function keyOf(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/**
 * Checks an access token's signature (HS256 only), expiry (required, and at most
 * `policy.maxTtlSeconds` ahead) and claims. Throws
 * {@link SwitchboardError} `TOKEN_EXPIRED` or `INVALID_TOKEN` with a message saying what is wrong.
 */
export async function verifyToken(token: string, secret: string, policy: TokenPolicy): Promise<VerifiedToken> {
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
  const { room, sub, name, metadata, grants, exp } = payload as Partial<TokenClaims> & Record<string, unknown>;
  if (typeof room !== 'string' || room.length === 0 || room.length > MAX_ROOM_LENGTH) {
    throw invalid('claim "room" must be a non-empty string');
  }
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_NAME_LENGTH) {
    throw invalid('claim "sub" (identity) must be a non-empty string');
  }
  if (name !== undefined && (typeof name !== 'string' || name.length > MAX_NAME_LENGTH)) {
    throw invalid('claim "name" must be a string');
  }
  for (const [claim, text] of [['room', room], ['sub', sub], ['name', name]] as const) {
    const unsafe = text === undefined ? undefined : unsafeTextReason(text);
    if (unsafe !== undefined) throw invalid(`claim "${claim}" ${unsafe}`);
  }
  // jose has checked that `exp` is a number in the future.
  const expiresAt = (exp as number) * 1000;
  const latest = Date.now() + (policy.maxTtlSeconds + TOKEN_CLOCK_SKEW_SECONDS) * 1000;
  if (expiresAt > latest) {
    throw invalid(`claim "exp" lies more than ${policy.maxTtlSeconds} s ahead (the server's --max-token-ttl)`);
  }
  if (metadata !== undefined && !isPlainObject(metadata)) throw invalid('claim "metadata" must be an object');
  const deep = metadata === undefined ? undefined : tooDeepField(metadata, MAX_METADATA_DEPTH);
  if (deep !== undefined) throw invalid(`claim "metadata.${deep}" nests deeper than ${MAX_METADATA_DEPTH} levels`);
  return {
    room,
    identity: sub,
    ...(name === undefined ? {} : { name }),
    ...(metadata === undefined ? {} : { metadata }),
    grants: parseGrants(grants),
    expiresAt,
  };
}

/** Signs an access token; `ttlSeconds` sets `exp`. */
export async function mintToken(claims: Omit<TokenClaims, 'exp'>, secret: string, ttlSeconds: number): Promise<string> {
  const { sub, ...rest } = claims;
  return new SignJWT({ ...rest })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(keyOf(secret));
}

function parseGrants(value: unknown): Grants {
  if (value === undefined) return { ...DEFAULT_GRANTS };
  if (!isPlainObject(value)) throw invalid('claim "grants" must be an object');
  const grants = {} as Grants;
  for (const grant of GRANT_NAMES) {
    const given = value[grant];
    if (given !== undefined && typeof given !== 'boolean') throw invalid(`grant "${grant}" must be true or false`);
    grants[grant] = given === true;
  }
  return grants;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): SwitchboardError {
  return new SwitchboardError('INVALID_TOKEN', `the access token is not valid: ${message}`);
}
