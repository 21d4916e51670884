import { MAX_NAME_LENGTH, SwitchboardError } from '@switchboard/sdk/protocol';

/**
 * Which of a room's reliable broadcasts it keeps for late joiners: the newest `limit` ones whose
 * type is in `types` and whose topic is in `topics` (a list left out matches anything), at most
 * `maxBytes` of bodies in all. Targeted messages are never kept.
 */
export interface HistoryPolicy {
  limit: number;
  maxBytes: number;
  types?: string[];
  topics?: string[];
}

/** The server's bounds on any room's policy (`--history-max-limit`, `--history-max-bytes`). */
export interface HistoryCaps {
  maxLimit: number;
  maxBytes: number;
}

/**
 * The widest caps any server accepts (the top of `--history-max-limit` and `--history-max-bytes`):
 * a token's claim is checked against these when signed and read, and against its server's own
 * caps when a room applies it.
 */
export const CLAIM_HISTORY_CAPS: HistoryCaps = { maxLimit: 100_000, maxBytes: 256 * 1024 * 1024 };

// Most types or topics one policy may list: matching is a linear scan on every reliable message.
export const MAX_POLICY_NAMES = 64;
const FIELDS = ['limit', 'maxBytes', 'types', 'topics'];

/**
 * Reads a policy as a token claim, an HTTP body or the server's settings give it: an object
 * `{ limit, maxBytes?, types?, topics? }`, or null/false for no history. `maxBytes` defaults to
 * the cap. Throws {@link SwitchboardError} `MALFORMED` naming `where` for a bad shape and for a
 * policy above the caps, so nothing oversized is ever stored.
 */
export function parseHistoryPolicy(value: unknown, caps: HistoryCaps, where: string): HistoryPolicy | null {
  if (value === null || value === false) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw bad(where, 'must be an object such as {"limit": 50, "types": ["comment"]}, or null for no history');
  }
  const fields = value as Record<string, unknown>;
  const unknown = Object.keys(fields).find((key) => !FIELDS.includes(key));
  if (unknown !== undefined) throw bad(where, `has an unknown field "${unknown}"; expected ${FIELDS.join(', ')}`);
  const limit = count(fields.limit, `${where}.limit`, caps.maxLimit, 'the server\'s --history-max-limit');
  const maxBytes = fields.maxBytes === undefined ? caps.maxBytes : count(fields.maxBytes, `${where}.maxBytes`, caps.maxBytes, 'the server\'s --history-max-bytes');
  const policy: HistoryPolicy = { limit, maxBytes };
  if (fields.types !== undefined) policy.types = names(fields.types, `${where}.types`);
  if (fields.topics !== undefined) policy.topics = names(fields.topics, `${where}.topics`);
  return policy;
}

/** Whether a reliable message of `type` on `topic` enters the history under `policy`. */
export function historyKeeps(policy: HistoryPolicy | null, type: string | undefined, topic: string | undefined, targeted: boolean): boolean {
  if (!policy || targeted || type === undefined) return false;
  if (policy.types && !policy.types.includes(type)) return false;
  if (policy.topics && (topic === undefined || !policy.topics.includes(topic))) return false;
  return true;
}

/** The history a peer that starts from `upToSeq` gets: the newest kept up to it, within the policy. */
export function keptUpTo<T extends { seq: number; body: Uint8Array }>(snapshot: { policy: HistoryPolicy | null; kept: readonly T[] }, upToSeq: number): T[] {
  if (!snapshot.policy) return [];
  return newestWithin(snapshot.kept.filter((m) => m.seq <= upToSeq), snapshot.policy);
}

/**
 * The newest messages of `kept` (oldest first) that the policy's limit and byte budget allow;
 * the same rule trims what a bus stores and what it hands back.
 */
export function newestWithin<T extends { body: Uint8Array }>(kept: readonly T[], policy: HistoryPolicy): T[] {
  let bytes = 0;
  let start = kept.length;
  while (start > 0 && kept.length - start < policy.limit) {
    const size = (kept[start - 1] as T).body.byteLength;
    if (bytes + size > policy.maxBytes) break;
    bytes += size;
    start--;
  }
  return kept.slice(start);
}

function count(value: unknown, name: string, cap: number, capName: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) throw bad(name, 'must be a whole number of at least 1');
  if ((value as number) > cap) throw bad(name, `is ${String(value)}, above ${capName} of ${cap}`);
  return value as number;
}

function names(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_POLICY_NAMES) {
    throw bad(name, `must be a list of 1 to ${MAX_POLICY_NAMES} names`);
  }
  for (const item of value) {
    if (typeof item !== 'string' || item.length === 0 || item.length > MAX_NAME_LENGTH) {
      throw bad(name, `must hold strings of 1 to ${MAX_NAME_LENGTH} characters`);
    }
  }
  return [...new Set(value as string[])];
}

function bad(name: string, problem: string): SwitchboardError {
  return new SwitchboardError('MALFORMED', `history policy ${name} ${problem}`);
}
