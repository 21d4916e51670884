import { MAX_NAME_LENGTH, MAX_TARGETS, SwitchboardError } from '@switchboard/sdk/protocol';

/** A message a backend asks the server to send into a room, checked and with defaults filled in. */
export interface MessageRequest {
  /** Message type; `'message'` when not given. */
  type: string;
  /** The application data, sent as MessagePack. */
  data: unknown;
  /** Target peer IDs; absent (with `toIdentities`) = broadcast to the room. */
  to?: string[];
  /** Target identities, resolved to their current sessions when the message is sent. */
  toIdentities?: string[];
  topic?: string;
  /** Reliable (ordered, replayed on resume) or lossy channel; reliable when not given. */
  reliable: boolean;
}

const FIELDS = new Set(['type', 'data', 'to', 'toIdentities', 'topic', 'reliable']);

/**
 * Checks the decoded body of `POST /api/rooms/:room/messages`. Unknown fields are refused so a
 * misspelt `to` cannot silently turn a private message into a broadcast. Throws `MALFORMED`
 * naming the offending field.
 */
export function parseMessageRequest(body: unknown): MessageRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) malformed('the body must be an object');
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!FIELDS.has(key)) malformed(`unknown field "${key}"; expected ${[...FIELDS].join(', ')}`);
  }
  if (!Object.hasOwn(fields, 'data')) malformed('field "data" is required (use null for a message without data)');
  const request: MessageRequest = {
    type: fields.type === undefined ? 'message' : checkName(fields.type, 'type'),
    data: fields.data,
    reliable: fields.reliable === undefined ? true : checkBoolean(fields.reliable, 'reliable'),
  };
  if (fields.to !== undefined) request.to = checkTargets(fields.to, 'to', `a peer ID or a list of 1 to ${MAX_TARGETS} peer IDs`);
  if (fields.toIdentities !== undefined) request.toIdentities = checkTargets(fields.toIdentities, 'toIdentities', `an identity or a list of 1 to ${MAX_TARGETS} identities`);
  if ((request.to?.length ?? 0) + (request.toIdentities?.length ?? 0) > MAX_TARGETS) {
    malformed(`fields "to" and "toIdentities" name at most ${MAX_TARGETS} recipients together`);
  }
  if (fields.topic !== undefined) request.topic = checkName(fields.topic, 'topic');
  return request;
}

function checkName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NAME_LENGTH) {
    malformed(`field "${field}" must be a string of 1 to ${MAX_NAME_LENGTH} characters`);
  }
  return value;
}

function checkBoolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') malformed(`field "${field}" must be true or false`);
  return value;
}

function checkTargets(value: unknown, field: string, expected: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    list.length > MAX_TARGETS ||
    !list.every((id) => typeof id === 'string' && id.length > 0)
  ) {
    malformed(`field "${field}" must be ${expected}`);
  }
  return list as string[];
}

function malformed(message: string): never {
  throw new SwitchboardError('MALFORMED', message);
}
