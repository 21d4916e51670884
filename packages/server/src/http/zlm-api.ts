import type { TemplatedApp } from 'uWebSockets.js';
import { encode, SwitchboardError } from '@switchboard/sdk/protocol';
import { apiSecretMatches } from '../auth/api-secret.js';
import { addRoute, requestCounter, type RouteContext } from './api-route.js';
import type { Exchange } from './exchange.js';
import type { ApiRooms, HttpApiDeps } from './http-api.js';
import { bodyFormat, bodyLimit, decodeBody } from './request-body.js';

/** What {@link registerZlmApi} needs: the same as the HTTP API. */
export type ZlmApiDeps = HttpApiDeps;

// ZLMediaKit's API answer: always HTTP 200, success or failure told by `code`.
interface ZlmResult {
  code: ZlmCode;
  msg: string;
}

// ZLMediaKit's result codes that this endpoint returns.
type ZlmCode = 0 | -100 | -300 | -400 | -500;

const PATH = '/index/api/broadcastMessage';
/** Message type that ZLMediaKit broadcasts arrive with. */
const MESSAGE_TYPE = 'broadcastMessage';
// All required, as in ZLMediaKit; `schema` and `vhost` are not used for anything here.
const REQUIRED = ['schema', 'vhost', 'app', 'stream', 'msg'] as const;
const ARGS = ['secret', ...REQUIRED] as const;
type ZlmArg = (typeof ARGS)[number];

/**
 * Registers ZLMediaKit's `broadcastMessage` (GET with a query string, or POST with a query
 * string plus a form or JSON body) so that backends written for ZLMediaKit's WebRTC
 * DataChannel broadcast work unchanged: the room `${app}/${stream}` gets `msg` as a reliable
 * broadcast of type `broadcastMessage` from `server`.
 */
export function registerZlmApi(app: TemplatedApp, deps: ZlmApiDeps): void {
  const context: RouteContext = {
    requests: requestCounter(deps.metrics),
    logger: deps.logger,
    ...(deps.cors ? { cors: deps.cors } : {}),
  };
  const handler = async (exchange: Exchange) => {
    exchange.reply(200, await broadcast(exchange, deps, context));
  };
  addRoute(app, 'get', PATH, context, {}, handler);
  addRoute(app, 'post', PATH, context, { maxBodyBytes: bodyLimit(deps.maxMessageSize) }, handler);
  // Other methods get ZLMediaKit's answer shape too: its clients read `code`, not the status.
  addRoute(app, 'any', PATH, context, {}, (exchange) => {
    const result: ZlmResult = { code: -400, msg: `${exchange.method.toUpperCase()} is not supported; use GET or POST` };
    exchange.reply(200, result, { Allow: 'GET, POST' });
  });
}

async function broadcast(exchange: Exchange, deps: ZlmApiDeps, context: RouteContext): Promise<ZlmResult> {
  try {
    const args = await readArgs(exchange);
    if (!apiSecretMatches(args.get('secret'), deps.apiSecret)) return { code: -100, msg: 'Incorrect secret' };
    // As in ZLMediaKit, an empty value counts as missing.
    const missing = REQUIRED.filter((name) => !args.get(name));
    if (missing.length > 0) return { code: -300, msg: `Required parameter missed: ${missing.map((n) => `"${n}"`).join(', ')}` };
    return await send(deps.rooms, `${args.get('app')}/${args.get('stream')}`, args.get('msg') as string);
  } catch (error) {
    if (error instanceof SwitchboardError) return { code: error.code === 'MALFORMED' ? -300 : -400, msg: error.message };
    if (!exchange.aborted) context.logger.error('ZLMediaKit broadcastMessage failed', { error });
    return { code: -400, msg: 'internal server error' };
  }
}

async function send(rooms: ApiRooms, roomName: string, msg: string): Promise<ZlmResult> {
  const sent = await rooms.reach(roomName, (room) => room.sendFromServer({ type: MESSAGE_TYPE, payload: encode(msg), reliable: true }));
  if (sent === undefined) return { code: -500, msg: 'can not find the stream' };
  return { code: 0, msg: 'success' };
}

// ZLMediaKit merges the query string with a form or JSON body; here the body wins on conflict.
// Bodies of other types are ignored, as ZLMediaKit does, so their parameters count as missing.
async function readArgs(exchange: Exchange): Promise<Map<ZlmArg, string>> {
  const args = new Map<ZlmArg, string>();
  const query = new URLSearchParams(exchange.query);
  for (const name of ARGS) {
    const value = query.get(name);
    if (value !== null) args.set(name, value);
  }
  if (exchange.method !== 'post') return args;
  const bytes = await exchange.body();
  const format = bodyFormat(exchange.header('content-type'));
  if (bytes.byteLength === 0 || (format !== 'json' && format !== 'form')) return args;
  const body = decodeBody(bytes, format);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SwitchboardError('MALFORMED', 'the JSON body must be an object of parameters');
  }
  for (const name of ARGS) {
    const value = (body as Record<string, unknown>)[name];
    if (value === undefined || value === null) continue;
    if (typeof value === 'object') throw new SwitchboardError('MALFORMED', `parameter "${name}" must be a string`);
    args.set(name, String(value));
  }
  return args;
}
