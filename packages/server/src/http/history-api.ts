import type { TemplatedApp } from 'uWebSockets.js';
import { SwitchboardError } from '@switchboard/sdk/protocol';
import type { HistoryPolicy } from '../history/history-policy.js';
import type { HistoryEntry } from '../history/room-history.js';
import { addRoute, decodeParam, refuseOtherMethods, requestCounter, type RouteContext, type RouteHandler } from './api-route.js';
import { checkApiSecret, requestFormat, type HttpApiDeps } from './http-api.js';
import { decodeBody } from './request-body.js';

/** What the history endpoints need of a room (the server's rooms provide it). */
export interface ApiHistoryRoom {
  readonly history: {
    policy(): Promise<HistoryPolicy | null>;
    entries(): Promise<HistoryEntry[]>;
    /** Checks `value` against the server's caps (`MALFORMED`) and makes it the room's policy. */
    replace(value: unknown): Promise<HistoryPolicy | null>;
  };
}

/** What {@link registerHistoryApi} needs. */
export interface HistoryApiDeps extends Pick<HttpApiDeps, 'apiSecret' | 'metrics' | 'logger' | 'cors'> {
  rooms: { reach<T>(name: string, use: (room: ApiHistoryRoom) => Promise<T>): Promise<T | undefined> };
}

const HISTORY = '/api/rooms/:room/history';
const POLICY = '/api/rooms/:room/history-policy';
// A policy is a few names and numbers; its lists are capped well below this.
export const POLICY_BODY_LIMIT = 64 * 1024;

/**
 * Registers the room history endpoints: `GET …/history` (the policy and the kept messages) and
 * `PUT …/history-policy` (replace the policy; null turns history off). Any node answers for
 * any room with members somewhere; the history lives on the room bus. API secret required.
 */
export function registerHistoryApi(app: TemplatedApp, deps: HistoryApiDeps): void {
  const context: RouteContext = { requests: requestCounter(deps.metrics), logger: deps.logger, ...(deps.cors ? { cors: deps.cors } : {}) };
  const authorized =
    (handler: RouteHandler): RouteHandler =>
    (exchange) => {
      checkApiSecret(exchange, deps.apiSecret);
      return handler(exchange);
    };
  addRoute(app, 'get', HISTORY, context, {}, authorized(async (exchange) => {
    const name = decodeParam(exchange, 0, 'room name');
    const answer = await reach(deps, name, async (room) => ({ policy: await room.history.policy(), messages: await room.history.entries() }));
    exchange.reply(200, answer);
  }));
  addRoute(app, 'put', POLICY, context, { maxBodyBytes: POLICY_BODY_LIMIT }, authorized(async (exchange) => {
    const name = decodeParam(exchange, 0, 'room name');
    const format = requestFormat(exchange);
    const value = decodeBody(await exchange.body(), format);
    const policy = await reach(deps, name, (room) => room.history.replace(value));
    deps.logger.info('room history policy set through the HTTP API', { room: name, policy });
    exchange.reply(200, { policy });
  }));
  refuseOtherMethods(app, HISTORY, ['GET'], context);
  refuseOtherMethods(app, POLICY, ['PUT'], context);
}

// The room wherever its members are (opened here for the request if need be); NOT_FOUND if none.
async function reach<T>(deps: HistoryApiDeps, name: string, use: (room: ApiHistoryRoom) => Promise<T>): Promise<T> {
  const result = await deps.rooms.reach(name, async (room) => ({ value: await use(room) }));
  if (!result) throw new SwitchboardError('NOT_FOUND', `no room "${name}"`);
  return result.value;
}
