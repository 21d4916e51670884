import type { GrantChange, GrantName } from '../protocol/index.js';

/** What `room.setGrants` takes: the peer's whole new list of grants, or grants to add and remove. */
export type GrantChangeRequest = readonly GrantName[] | { grant?: readonly GrantName[]; revoke?: readonly GrantName[] };

/** The `setGrants` request's fields for `change` (the server checks the names). */
export function grantChangeParams(change: GrantChangeRequest): GrantChange {
  if (isList(change)) return { grants: [...change] };
  return {
    ...(change.grant === undefined ? {} : { grant: [...change.grant] }),
    ...(change.revoke === undefined ? {} : { revoke: [...change.revoke] }),
  };
}

function isList(change: GrantChangeRequest): change is readonly GrantName[] {
  return Array.isArray(change);
}
