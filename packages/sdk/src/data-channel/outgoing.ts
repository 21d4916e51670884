import { MessageError } from '../errors.js';
import { encodeOutgoing, MAX_NAME_LENGTH, MAX_TARGETS, type OutgoingEnvelope } from '../protocol/index.js';

/** An envelope before its channel numbers it. */
export type UnsequencedEnvelope = Omit<OutgoingEnvelope, 'seq'>;

/** The largest encoded envelope a channel carries, and the name of the limit for errors. */
export interface SizeLimit {
  bytes: number;
  name: string;
}

/**
 * Checks what the server would reject as `MALFORMED` (names, targets) and encodes the envelope
 * with `seq`; throws {@link MessageError} when it is malformed or larger than `limit`.
 */
export function sealEnvelope(envelope: UnsequencedEnvelope, seq: number, limit: SizeLimit): Uint8Array {
  checkName(envelope.type, 'message type');
  if (envelope.topic !== undefined) checkName(envelope.topic, 'topic');
  if (envelope.to !== undefined || envelope.toIdentities !== undefined) checkTargets(envelope.to ?? [], envelope.toIdentities ?? []);
  const bytes = encodeOutgoing({ ...envelope, seq });
  if (bytes.byteLength > limit.bytes) {
    throw new MessageError(
      'MESSAGE_TOO_LARGE',
      `message "${envelope.type}" is ${bytes.byteLength} bytes encoded; ${limit.name} is ${limit.bytes}`,
    );
  }
  return bytes;
}

function checkName(name: string, what: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new MessageError('MALFORMED', `a ${what} must be a string of 1 to ${MAX_NAME_LENGTH} characters`);
  }
}

function checkTargets(to: string | readonly string[], identities: readonly string[]): void {
  const targets = typeof to === 'string' ? [to] : to;
  const count = targets.length + identities.length;
  if (count === 0 || count > MAX_TARGETS) {
    throw new MessageError('MALFORMED', `a message goes to 1 to ${MAX_TARGETS} peers and identities, not ${count}`);
  }
  if (!targets.every((id) => typeof id === 'string' && id.length > 0)) {
    throw new MessageError('MALFORMED', 'target peer IDs must be non-empty strings');
  }
  if (!identities.every((id) => typeof id === 'string' && id.length > 0)) {
    throw new MessageError('MALFORMED', 'target identities must be non-empty strings');
  }
}
