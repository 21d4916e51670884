import type { TemplatedApp } from 'uWebSockets.js';
import { encode, grantNames, SwitchboardError, unsafeTextReason, type GrantChange, type GrantName, type Grants, type PeerInfo, type TrackInfo } from '@switchboard/sdk/protocol';
import { apiSecretMatches } from '../auth/api-secret.js';
import type { BusPeer } from '../cluster/room-bus.js';
import type { TrafficCounts } from '../data/room-traffic.js';
import type { Logger } from '../log.js';
import type { CorsPolicy } from './cors.js';
import type { Metrics } from '../metrics/metrics.js';
import {
  addRoute,
  decodeParam,
  HttpError,
  refuseOtherMethods,
  requestCounter,
  type RouteContext,
  type RouteHandler,
} from './api-route.js';
import type { Exchange } from './exchange.js';
import { changeGrants, GRANTS_BODY_LIMIT } from './grants-route.js';
import { parseMessageRequest } from './message-request.js';
import { bodyFormat, bodyLimit, decodeBody, type BodyFormat } from './request-body.js';

/**
 * A peer as the HTTP API lists it: connected, or dropped and waiting to resume; in cluster
 * mode, with the node it is connected through.
 */
export type ApiPeer = PeerInfo & {
  connected: boolean;
  tracks: TrackInfo[];
  grants?: Grants;
  node?: string;
  /** PID of the mediasoup worker its transports are on (peers of this node, while connected). */
  worker?: number | undefined;
  /** Data messages read from its channels and their bytes (peers of this node). */
  sent?: { messages: number; bytes: number };
};

/** What the HTTP API needs of a room; the server's room registry provides it. */
export interface ApiRoom {
  readonly name: string;
  /** Creation time, ms since epoch. */
  readonly createdAt: number;
  /** Current peers, including those waiting to resume. */
  peers(): ApiPeer[];
  /** The room's data traffic on this node. */
  readonly traffic: { counts(): TrafficCounts };
  /**
   * Sends a message as the server (sender `server`); `payload` is the MessagePack bytes of the
   * data. Throws {@link SwitchboardError} `UNKNOWN_TARGET` if a target is not in the room (then
   * nothing is sent), `MESSAGE_TOO_LARGE` or `UNAVAILABLE`. Resolves with how many peers it was addressed to.
   */
  sendFromServer(message: { type: string; payload: Uint8Array; to?: string[]; toIdentities?: string[]; topic?: string; reliable: boolean }): Promise<number>;
  /** Removes a peer, telling it `reason`; false if there is no such peer. */
  kick(peerId: string, reason: string): Promise<boolean>;
  /** Changes a peer's grants, on its node; throws `NOT_FOUND` if there is no such peer. `by` is who asked. */
  setGrants(peerId: string, change: GrantChange, by: string): Promise<Grants>;
}

/** The rooms the HTTP API can see. */
export interface ApiRooms {
  get(name: string): ApiRoom | undefined;
  list(): ApiRoom[];
  /**
   * Runs `use` on room `name`, opened on this node for the purpose if it has members only on
   * other nodes (cluster mode); undefined if the room has no members anywhere.
   */
  reach<T>(name: string, use: (room: ApiRoom) => Promise<T>): Promise<T | undefined>;
}

/** The members of every node's rooms (cluster mode), so any node can list the whole cluster. */
export interface ApiCluster {
  /** The answering node's ID. */
  readonly nodeId: string;
  /** Rooms with members on any node. */
  rooms(): Promise<string[]>;
  /** A room's members on every node. */
  roomPeers(room: string): Promise<BusPeer[]>;
}

/** What {@link registerHttpApi} needs. */
export interface HttpApiDeps {
  rooms: ApiRooms;
  /** In cluster mode: room and peer listings cover every node. */
  cluster?: ApiCluster | undefined;
  /** Secret a backend presents as `Authorization: Bearer …` or `X-Api-Secret`. */
  apiSecret: string;
  /** Largest data message, in bytes; bounds the request bodies read. */
  maxMessageSize: number;
  metrics: Metrics;
  logger: Logger;
  /** Browser origins allowed to call the API; no CORS headers without it. */
  cors?: CorsPolicy;
}

const ROOMS = '/api/rooms';
const PEERS = '/api/rooms/:room/peers';
const MESSAGES = '/api/rooms/:room/messages';
const KICK = '/api/rooms/:room/peers/:peer/kick';
const PEER = '/api/rooms/:room/peers/:peer';
const MESSAGE_FORMATS: readonly BodyFormat[] = ['json', 'msgpack'];
const KICK_BODY_LIMIT = 4096;
const MAX_REASON_LENGTH = 256;
const DEFAULT_KICK_REASON = 'removed by the server';

/**
 * Registers the backend API under `/api/`: list rooms and peers, send messages into a room as
 * the server, kick peers, change their grants. Every route requires the API secret. Unknown `/api/` paths answer 404
 * here, so they never fall through to the static files.
 */
export function registerHttpApi(app: TemplatedApp, deps: HttpApiDeps): void {
  const context: RouteContext = {
    requests: requestCounter(deps.metrics),
    logger: deps.logger,
    ...(deps.cors ? { cors: deps.cors } : {}),
  };
  const authorized =
    (handler: RouteHandler): RouteHandler =>
    (exchange) => {
      checkApiSecret(exchange, deps.apiSecret);
      return handler(exchange);
    };
  const { rooms, logger, cluster } = deps;
  addRoute(app, 'get', ROOMS, context, {}, authorized(cluster ? listClusterRooms(rooms, cluster) : listRooms(rooms)));
  addRoute(app, 'get', PEERS, context, {}, authorized(cluster ? listClusterPeers(rooms, cluster) : listPeers(rooms)));
  addRoute(app, 'post', MESSAGES, context, { maxBodyBytes: bodyLimit(deps.maxMessageSize) }, authorized(sendMessage(rooms)));
  addRoute(app, 'post', KICK, context, { maxBodyBytes: KICK_BODY_LIMIT }, authorized(kickPeer(rooms, logger)));
  addRoute(app, 'patch', PEER, context, { maxBodyBytes: GRANTS_BODY_LIMIT }, authorized(changeGrants((name, use) => reachRoom(rooms, name, use), logger, requestFormat)));
  refuseOtherMethods(app, ROOMS, ['GET'], context);
  refuseOtherMethods(app, PEERS, ['GET'], context);
  refuseOtherMethods(app, MESSAGES, ['POST'], context);
  refuseOtherMethods(app, KICK, ['POST'], context);
  refuseOtherMethods(app, PEER, ['PATCH'], context);
  const unknown: RouteHandler = () => {
    throw new SwitchboardError('NOT_FOUND', 'no such API endpoint; see docs/http-api.md');
  };
  // `get` too: uWS tries method-specific routes (the static files' `GET /*`) before `any` ones.
  addRoute(app, 'get', '/api/*', context, {}, unknown);
  addRoute(app, 'any', '/api/*', context, {}, unknown);
}

function listRooms(rooms: ApiRooms): RouteHandler {
  return (exchange) => {
    const list = rooms.list().map((room) => ({ name: room.name, createdAt: room.createdAt, peers: room.peers().length, traffic: room.traffic.counts() }));
    exchange.reply(200, { rooms: list });
  };
}

function listPeers(rooms: ApiRooms): RouteHandler {
  return (exchange) => {
    const name = decodeParam(exchange, 0, 'room name');
    const room = rooms.get(name);
    if (!room) throw new SwitchboardError('NOT_FOUND', `no room "${name}"`);
    exchange.reply(200, { peers: room.peers().map(publicPeer) });
  };
}

// A room with no peer on this node has no creation time here: its earliest member's join stands in.
function listClusterRooms(rooms: ApiRooms, cluster: ApiCluster): RouteHandler {
  return async (exchange) => {
    const local = new Map(rooms.list().map((room) => [room.name, room]));
    const names = [...new Set([...local.keys(), ...(await cluster.rooms())])];
    const list = await Promise.all(
      names.map(async (name) => {
        const room = local.get(name);
        const elsewhere = otherNodesPeers(await cluster.roomPeers(name), room, cluster.nodeId);
        const createdAt = room?.createdAt ?? Math.min(...elsewhere.map((peer) => peer.joinedAt));
        const traffic = room?.traffic.counts() ?? { messagesIn: 0, deliveries: 0, rejected: {} };
        return { name, createdAt, peers: (room?.peers().length ?? 0) + elsewhere.length, traffic };
      }),
    );
    exchange.reply(200, { rooms: list.filter((room) => room.peers > 0) });
  };
}

// A peer of another node is listed as connected while it is a member: only its own node knows
// when it is momentarily dropped.
function listClusterPeers(rooms: ApiRooms, cluster: ApiCluster): RouteHandler {
  return async (exchange) => {
    const name = decodeParam(exchange, 0, 'room name');
    const room = rooms.get(name);
    const elsewhere = otherNodesPeers(await cluster.roomPeers(name), room, cluster.nodeId);
    if (!room && elsewhere.length === 0) throw new SwitchboardError('NOT_FOUND', `no room "${name}"`);
    const peers = [
      ...(room?.peers() ?? []).map((peer) => publicPeer({ ...peer, node: cluster.nodeId })),
      ...elsewhere.map((peer) =>
        publicPeer({ ...peer, name: peer.name ?? undefined, metadata: peer.metadata ?? undefined, connected: true, tracks: [...peer.tracks] }),
      ),
    ];
    exchange.reply(200, { peers });
  };
}

// A session this node took over from a dead node is still that node's in Redis until its new
// record is written: it is listed once, as this node's peer.
function otherNodesPeers(records: BusPeer[], room: { peers(): { id: string }[] } | undefined, nodeId: string): BusPeer[] {
  const here = new Set(room?.peers().map((peer) => peer.id));
  return records.filter((peer) => peer.node !== nodeId && !here.has(peer.id));
}

function sendMessage(rooms: ApiRooms): RouteHandler {
  return async (exchange) => {
    // Checked before the body arrives, so a bad request is refused without reading it.
    const roomName = decodeParam(exchange, 0, 'room name');
    const format = requestFormat(exchange);
    const { type, data, to, toIdentities, topic, reliable } = parseMessageRequest(decodeBody(await exchange.body(), format));
    const delivered = await reachRoom(rooms, roomName, (room) =>
      room.sendFromServer({
        type,
        payload: encode(data),
        reliable,
        ...(to === undefined ? {} : { to }),
        ...(toIdentities === undefined ? {} : { toIdentities }),
        ...(topic === undefined ? {} : { topic }),
      }),
    );
    exchange.reply(200, { delivered });
  };
}

function kickPeer(rooms: ApiRooms, logger: Logger): RouteHandler {
  return async (exchange) => {
    const roomName = decodeParam(exchange, 0, 'room name');
    const peerId = decodeParam(exchange, 1, 'peer ID');
    const body = await exchange.body();
    const reason = body.byteLength === 0 ? DEFAULT_KICK_REASON : parseKickReason(decodeBody(body, requestFormat(exchange)));
    if (!(await reachRoom(rooms, roomName, (room) => room.kick(peerId, reason)))) {
      throw new SwitchboardError('NOT_FOUND', `no peer "${peerId}" in room "${roomName}"`);
    }
    logger.info('peer kicked through the HTTP API', { room: roomName, peerId, reason });
    exchange.reply(200, { kicked: true });
  };
}

/** Accepts `Authorization: Bearer <secret>` or `X-Api-Secret: <secret>`; throws a 401 HttpError otherwise. */
export function checkApiSecret(exchange: Exchange, apiSecret: string): void {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(exchange.header('authorization'))?.[1];
  const presented = bearer ?? (exchange.header('x-api-secret') || undefined);
  if (presented === undefined) {
    throw new HttpError(
      401,
      'PERMISSION_DENIED',
      'missing API secret: send "Authorization: Bearer <secret>" or "X-Api-Secret: <secret>"',
    );
  }
  if (!apiSecretMatches(presented, apiSecret)) throw new HttpError(401, 'PERMISSION_DENIED', 'wrong API secret');
}

/** The format of a JSON or MessagePack request body; throws `MALFORMED` for any other Content-Type. */
export function requestFormat(exchange: Exchange): BodyFormat {
  const contentType = exchange.header('content-type');
  const format = bodyFormat(contentType);
  if (format === undefined || !MESSAGE_FORMATS.includes(format)) {
    throw new SwitchboardError(
      'MALFORMED',
      `Content-Type must be application/json, application/msgpack or application/x-msgpack (got "${contentType}")`,
    );
  }
  return format;
}

/** Runs `use` on the room, wherever its members are; NOT_FOUND if it has none anywhere. */
export async function reachRoom<T>(rooms: ApiRooms, name: string, use: (room: ApiRoom) => Promise<T>): Promise<T> {
  const result = await rooms.reach(name, async (room) => ({ value: await use(room) }));
  if (!result) throw new SwitchboardError('NOT_FOUND', `no room "${name}"`);
  return result.value;
}

// Copies the documented fields only, so whatever else a registry keeps on its peer objects
// (a resume key, say) never reaches an API answer.
function publicPeer(peer: ApiPeer): Omit<ApiPeer, 'grants'> & { grants?: GrantName[] } {
  const { id, identity, name, metadata, joinedAt, connected, tracks, grants, node, worker, sent } = peer;
  return { id, identity, name, metadata, joinedAt, connected, tracks, grants: grants && grantNames(grants), node, worker, sent };
}

function parseKickReason(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SwitchboardError('MALFORMED', 'the body must be an object such as {"reason": "…"}');
  }
  const { reason, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new SwitchboardError('MALFORMED', `unknown field "${unknown}"; expected reason`);
  if (reason === undefined) return DEFAULT_KICK_REASON;
  if (typeof reason !== 'string' || reason.length === 0 || reason.length > MAX_REASON_LENGTH) {
    throw new SwitchboardError('MALFORMED', `field "reason" must be a string of 1 to ${MAX_REASON_LENGTH} characters`);
  }
  // The peer shows it: it must read as it was written (see unsafeTextReason).
  const unsafe = unsafeTextReason(reason);
  if (unsafe !== undefined) throw new SwitchboardError('MALFORMED', `field "reason" ${unsafe}`);
  return reason;
}
