import { decode, ProtocolError, type RequestMethod, type WireError } from '@switchboard/sdk/protocol';
import { validators } from './request-validation.js';

/** A decoded request frame, or why it is not one (`id` 0 when no valid ID could be read). */
export type IncomingRequest = { id: number; method: RequestMethod; data: unknown } | { id: number; error: WireError };

/** How much of an unknown method name an error message repeats. */
const ECHO_LIMIT = 64;

/** Decodes one binary signaling frame into a request of a known method. */
export function readRequest(bytes: Uint8Array): IncomingRequest {
  let frame: Record<string, unknown>;
  try {
    const decoded = decode(bytes);
    if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) {
      throw new ProtocolError('MALFORMED', 'a frame must be a MessagePack map');
    }
    frame = decoded as Record<string, unknown>;
  } catch (error) {
    return { id: 0, error: (error as ProtocolError).toWire() };
  }
  const id = frame.id;
  if (frame.type !== 'request' || !Number.isSafeInteger(id) || (id as number) <= 0) {
    return { id: 0, error: { code: 'MALFORMED', message: 'expected { type: "request", id: positive integer, method, data }' } };
  }
  const method = frame.method;
  if (typeof method !== 'string' || !Object.hasOwn(validators, method)) {
    return { id: id as number, error: { code: 'UNKNOWN_METHOD', message: `unknown method ${describe(method)}` } };
  }
  return { id: id as number, method: method as RequestMethod, data: frame.data ?? {} };
}

// The caller's input is repeated only in part: an error must not hand back kilobytes of it.
function describe(method: unknown): string {
  if (typeof method !== 'string') return `(a ${method === null ? 'null' : typeof method}, not a string)`;
  const shown = JSON.stringify(method.slice(0, ECHO_LIMIT));
  return method.length > ECHO_LIMIT ? `${shown}… (${method.length} characters)` : shown;
}
