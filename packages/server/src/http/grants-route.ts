import { grantNames, parseGrantChange, SwitchboardError, type Grants } from '@switchboard/sdk/protocol';
import type { Logger } from '../log.js';
import { decodeParam, type RouteHandler } from './api-route.js';
import type { ApiRoom } from './http-api.js';
import { decodeBody, type BodyFormat } from './request-body.js';
import type { Exchange } from './exchange.js';

/** `PATCH /api/rooms/:room/peers/:peer`: the body's largest size, in bytes. */
export const GRANTS_BODY_LIMIT = 4096;

/**
 * Changes a peer's grants, on whichever node it is connected through: the body is
 * `{"grants": [...]}` (the new list) or `{"grant": [...], "revoke": [...]}`; answers the
 * peer's grants after the change, as a list of names.
 */
export function changeGrants(
  reach: (room: string, use: (room: ApiRoom) => Promise<Grants>) => Promise<Grants>,
  logger: Logger,
  format: (exchange: Exchange) => BodyFormat,
): RouteHandler {
  return async (exchange) => {
    const roomName = decodeParam(exchange, 0, 'room name');
    const peerId = decodeParam(exchange, 1, 'peer ID');
    const body = decodeBody(await exchange.body(), format(exchange));
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new SwitchboardError('MALFORMED', 'the body must be an object such as {"revoke": ["sendData"]}');
    }
    const { grants, grant, revoke, ...rest } = body as Record<string, unknown>;
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined) throw new SwitchboardError('MALFORMED', `unknown field "${unknown}"; expected grants, or grant and revoke`);
    const change = parseGrantChange({ grants, grant, revoke });
    const changed = await reach(roomName, (room) => room.setGrants(peerId, change, 'server'));
    logger.info('grants changed through the HTTP API', { room: roomName, peerId, change });
    exchange.reply(200, { grants: grantNames(changed) });
  };
}
