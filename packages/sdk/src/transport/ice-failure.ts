import { IceLoopbackError } from '../errors.js';
import type { TransportInfo } from '../protocol/index.js';

const LOOPBACK = /^(127\.|::1$|localhost$)/;

/**
 * Why ICE to a server transport failed, when the candidates tell: all of them loopback
 * addresses. Undefined when they do not (a firewall, a lost network): the caller reports a
 * plain disconnect.
 */
export function explainIceFailure(direction: string, transport: TransportInfo | undefined): IceLoopbackError | undefined {
  const addresses = [...new Set((transport?.iceCandidates ?? []).map((candidate) => candidate.address))];
  if (addresses.length === 0 || !addresses.every((address) => LOOPBACK.test(address))) return undefined;
  return new IceLoopbackError(direction, addresses);
}
