import { ProtocolError } from './error-codes.js';
import { GRANT_NAMES, type GrantName, type Grants } from './peers.js';
import type { GrantChange } from './signaling.js';

/**
 * Checks a grant change as it arrives (a signaling request's or an HTTP body's fields):
 * `{ grants: [...] }` replaces every grant, `{ grant: [...], revoke: [...] }` changes some.
 * Throws {@link ProtocolError} `MALFORMED` naming the first problem (an unknown grant name,
 * both forms at once, a grant both given and revoked, nothing to change).
 */
export function parseGrantChange(fields: { grants?: unknown; grant?: unknown; revoke?: unknown }): GrantChange {
  const { grants, grant, revoke } = fields;
  if (grants !== undefined) {
    if (grant !== undefined || revoke !== undefined) malformed('give either "grants" or "grant"/"revoke", not both');
    return { grants: grantList(grants, 'grants') };
  }
  if (grant === undefined && revoke === undefined) malformed('give "grants" (the new list) or "grant"/"revoke" (changes)');
  const change: { grant?: GrantName[]; revoke?: GrantName[] } = {};
  if (grant !== undefined) change.grant = grantList(grant, 'grant');
  if (revoke !== undefined) change.revoke = grantList(revoke, 'revoke');
  const both = change.grant?.find((name) => change.revoke?.includes(name));
  if (both !== undefined) malformed(`"${both}" is both granted and revoked`);
  return change;
}

/** The grants `current` becomes after `change`. */
export function applyGrantChange(current: Readonly<Grants>, change: GrantChange): Grants {
  const next = { ...current };
  if (change.grants !== undefined) {
    for (const name of GRANT_NAMES) next[name] = change.grants.includes(name);
    return next;
  }
  for (const name of change.grant ?? []) next[name] = true;
  for (const name of change.revoke ?? []) next[name] = false;
  return next;
}

/** The names of the grants that are true, in {@link GRANT_NAMES} order. */
export function grantNames(grants: Readonly<Grants>): GrantName[] {
  return GRANT_NAMES.filter((name) => grants[name]);
}

function grantList(value: unknown, field: string): GrantName[] {
  if (!Array.isArray(value) || value.length > GRANT_NAMES.length * 2) malformed(`"${field}" must be a list of grant names (${GRANT_NAMES.join(', ')})`);
  for (const name of value as unknown[]) {
    if (typeof name !== 'string' || !(GRANT_NAMES as readonly string[]).includes(name)) {
      malformed(`unknown grant ${JSON.stringify(name)} in "${field}"; grants are ${GRANT_NAMES.join(', ')}`);
    }
  }
  return [...new Set(value as GrantName[])];
}

function malformed(message: string): never {
  throw new ProtocolError('MALFORMED', message);
}
