import { LoadError, type LoadErrorCode } from './errors.js';

/** What a failed join attempt means for the run. */
export interface JoinFailure {
  /** The SDK's or server's code (`INVALID_TOKEN`, `TIMEOUT`, `CAPS_PER_IP`...). */
  code: string;
  message: string;
  /** Another attempt may succeed (the server was busy, or slow). */
  retryable: boolean;
  /** The whole run cannot go on: every other peer would fail the same way. */
  fatal: LoadErrorCode | undefined;
}

const AUTH_CODES = new Set(['INVALID_TOKEN', 'TOKEN_EXPIRED']);
const PASSING_CODES = new Set(['TIMEOUT', 'RATE_LIMITED', 'UNAVAILABLE', 'INTERNAL', 'DISCONNECTED']);

/**
 * Classifies a join's failure. The server closes a socket over its caps with a code the SDK's
 * error carries in its message: 4003 (too many from this address), 1013 (server full).
 */
export function classifyJoinError(error: unknown): JoinFailure {
  if (error instanceof LoadError) return { code: error.code, message: error.message, retryable: false, fatal: error.code };
  const { code = 'UNKNOWN', message = String(error) } = error as { code?: string; message?: string };
  if (/\bcode 4003\b/.test(message)) {
    return { code: 'CAPS_PER_IP', message: `${message}: the server's --max-connections-per-ip cap`, retryable: false, fatal: 'CAPS_HIT' };
  }
  if (/\bcode 1013\b/.test(message)) {
    return { code: 'CAPS_TOTAL', message: `${message}: the server's --max-connections cap`, retryable: false, fatal: 'CAPS_HIT' };
  }
  if (AUTH_CODES.has(code)) return { code, message, retryable: false, fatal: 'AUTH_FAILED' };
  if (code === 'PERMISSION_DENIED' && /room is full/.test(message)) return { code: 'ROOM_FULL', message, retryable: false, fatal: 'CAPS_HIT' };
  return { code, message, retryable: PASSING_CODES.has(code), fatal: undefined };
}

/** The operator's explanation of a fatal failure, with what to do about it. */
export function fatalMessage(code: LoadErrorCode, failure: JoinFailure): string {
  switch (code) {
    case 'AUTH_FAILED':
      return `the server refused the token (${failure.code}): is --secret the server's --token-secret, or does --token-url sign for this server? (${failure.message})`;
    case 'CAPS_HIT':
      return `the server's connection caps refused peers (${failure.code}): raise them for the test (--max-connections-per-ip, --max-connections) or load from more addresses (${failure.message})`;
    default:
      return failure.message;
  }
}
