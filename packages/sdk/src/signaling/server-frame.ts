import {
  decodeEach,
  ProtocolError,
  type ClientRequests,
  type ErrorCode,
  type NotificationFrame,
  type NotificationName,
  type RequestMethod,
  type WireError,
} from '../protocol/index.js';

/** Parameters of the request `M`. */
export type RequestParams<M extends RequestMethod> = ClientRequests[M]['params'];
/** Result of the request `M`. */
export type RequestResult<M extends RequestMethod> = ClientRequests[M]['result'];

/** The session a `join` returned. */
export type JoinResult = RequestResult<'join'>;

/** Any notification, as a union discriminated by `method`. */
export type AnyNotification = { [N in NotificationName]: NotificationFrame<N> }[NotificationName];

/** A response as the client reads it, before it is matched to its request. */
export type ParsedResponse =
  | { type: 'response'; id: number; ok: true; data: unknown }
  | { type: 'response'; id: number; ok: false; error: WireError };

/**
 * Reads one WebSocket message from the server: one frame, or several back to back (room
 * notifications sent together), handing each to `visit` in order. Each frame's envelope
 * (`type`, `id`, `ok`, `method`) is checked; the `data` inside is trusted to match the protocol.
 * Throws {@link ProtocolError} `MALFORMED` at the first frame that is not one, after the ones
 * before it were visited.
 */
export function readServerFrames(data: unknown, visit: (frame: ParsedResponse | AnyNotification) => void): void {
  if (!(data instanceof ArrayBuffer) && !(data instanceof Uint8Array)) {
    throw new ProtocolError('MALFORMED', 'signaling frames must be binary');
  }
  decodeEach(data, (frame) => visit(parseServerFrame(frame)));
}

function parseServerFrame(frame: unknown): ParsedResponse | AnyNotification {
  if (!isRecord(frame)) throw new ProtocolError('MALFORMED', 'signaling frame is not a map');
  if (frame.type === 'notification') {
    if (typeof frame.method !== 'string' || !isRecord(frame.data)) {
      throw new ProtocolError('MALFORMED', 'notification lacks method or data');
    }
    return frame as unknown as AnyNotification;
  }
  if (frame.type !== 'response') throw new ProtocolError('MALFORMED', `unknown frame type ${String(frame.type)}`);
  const id = frame.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw new ProtocolError('MALFORMED', 'response lacks an id');
  if (frame.ok === true) return { type: 'response', id, ok: true, data: frame.data };
  const error = frame.error;
  if (frame.ok !== false || !isRecord(error) || typeof error.code !== 'string' || typeof error.message !== 'string') {
    throw new ProtocolError('MALFORMED', 'response is neither a result nor an error');
  }
  return { type: 'response', id, ok: false, error: { code: error.code as ErrorCode, message: error.message } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
