import { DEFAULT_BACKOFF, type BackoffOptions } from './connection/backoff.js';
import { Connection } from './connection/connection.js';
import { ServerList, type ServerOrder } from './connection/server-list.js';
import { DEFAULT_WATERMARKS, type Watermarks } from './data-channel/channel.js';
import { DataPlane } from './data-channel/data-plane.js';
import type { DirectOptions } from './direct/direct-options.js';
import { DataEncryption } from './e2ee/data-encryption.js';
import type { E2EEOptions } from './e2ee/e2ee-options.js';
import type { Environment } from './env/environment.js';
import type { AnyMessages, MessageMap, MessageSchema } from './messages/message-types.js';
import { SIGNALING_PATH } from './protocol/index.js';
import { Room } from './room.js';
import type { MediaFactory } from './track/room-media.js';
import type { SessionFactory } from './transport/session.js';

/** How a room reconnects after its connection drops. */
export interface ReconnectOptions {
  /** Whether to try at all (default true). Without, a drop ends the room with `connectionLost`. */
  enabled?: boolean;
  /** Give up after this long, in ms (default 20000); the room ends with `reconnectTimeout`. */
  timeoutMs?: number;
  /** Delays between attempts. */
  backoff?: BackoffOptions;
}

/** Options every way of joining a room takes (`connect`, and `connect` of the data-only entry). */
export interface RoomOptions<M extends MessageMap = AnyMessages> {
  /** The room meant; the server refuses the join (`PERMISSION_DENIED`) if the token is for another. */
  room?: string;
  /** The application's messages, from {@link defineMessages}, for compile-time checks. */
  messages?: MessageSchema<M>;
  reconnect?: ReconnectOptions;
  /**
   * With several server URLs: try them in the order given (default) or in a random order. A
   * server that cannot be reached, or answers `UNAVAILABLE`, hands over to the next.
   */
  serverOrder?: ServerOrder;
  /** How long to wait for the server to answer a request, in ms (default 10000). */
  requestTimeoutMs?: number;
  /** Default RPC timeout, in ms (default 10000). */
  rpcTimeoutMs?: number;
  /** Receive only broadcasts without a topic or with one of these (default: all). */
  topics?: readonly string[];
  /** Backpressure limits of the data channels, in bytes (default: high 1 MiB, low 256 KiB). */
  watermarks?: Partial<Watermarks>;
  /**
   * Messages sent in the same tick go to the server as one batch per channel (default true): one
   * SCTP message and one pass through the server for several messages, at the price of a lossy
   * batch (one packet's worth at most) being lost whole. Each message keeps its own number,
   * receipt and refusal.
   */
  coalesceSends?: boolean;
  /**
   * STUN/TURN servers for both transports, replacing those the server hands out in its join
   * result (by default the server's are used: its operator configures TURN with short-lived
   * credentials).
   */
  iceServers?: RTCIceServer[];
  /** `'relay'` sends everything through TURN (default `'all'`). */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Direct peer-to-peer channels: how to answer peers' requests, and defaults for every channel. */
  direct?: DirectOptions;
  /** End-to-end encryption with the application's keys (see docs/security.md); off by default. */
  e2ee?: E2EEOptions;
}

/** What differs between the full SDK and the data-only entry point. */
export interface RoomParts {
  environment: Pick<Environment, 'createWebSocket'>;
  createSession: SessionFactory;
  createMedia: MediaFactory;
  /** The RTCPeerConnection class direct channels use, if the environment has one. */
  RTCPeerConnection?: typeof RTCPeerConnection;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const DEFAULT_RPC_TIMEOUT_MS = 10_000;
const DEFAULT_RECONNECT_TIMEOUT_MS = 20_000;
// ICE reports short 'disconnected' spells that recover by themselves; longer ones are a drop.
const DISCONNECTED_GRACE_MS = 2_000;

/** Joins a room with the given parts; see `connect`. */
export async function openRoom<M extends MessageMap = AnyMessages>(
  url: string | readonly string[],
  token: string,
  options: RoomOptions<M>,
  parts: RoomParts,
): Promise<Room<M>> {
  const encryption = options.e2ee === undefined ? undefined : new DataEncryption(options.e2ee.keyProvider);
  const data = new DataPlane({ ...DEFAULT_WATERMARKS, ...options.watermarks }, options.coalesceSends ?? true, encryption);
  const connection = new Connection({
    servers: new ServerList((typeof url === 'string' ? [url] : url).map(signalingUrl), options.serverOrder),
    token,
    room: options.room,
    topics: options.topics === undefined ? null : [...options.topics],
    environment: parts.environment,
    createSession: parts.createSession,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    reconnect: {
      enabled: options.reconnect?.enabled ?? true,
      timeoutMs: options.reconnect?.timeoutMs ?? DEFAULT_RECONNECT_TIMEOUT_MS,
      backoff: { ...DEFAULT_BACKOFF, ...options.reconnect?.backoff },
    },
    disconnectedGraceMs: DISCONNECTED_GRACE_MS,
    lastReceivedSeq: () => data.receiver.lastSeq,
    ice: {
      ...(options.iceServers === undefined ? {} : { servers: options.iceServers }),
      ...(options.iceTransportPolicy === undefined ? {} : { transportPolicy: options.iceTransportPolicy }),
    },
  });
  const room = new Room<M>(connection, data, options.rpcTimeoutMs ?? DEFAULT_RPC_TIMEOUT_MS, parts.createMedia, {
    ...options.direct,
    ...(parts.RTCPeerConnection === undefined ? {} : { RTCPeerConnection: parts.RTCPeerConnection }),
    ...(options.iceServers === undefined ? {} : { roomIceServers: options.iceServers }),
  });
  room.hold();
  await connection.open();
  room.release();
  return room;
}

/** `url` with the signaling path, unless it already ends with it. */
export function signalingUrl(url: string): string {
  const parsed = new URL(url);
  if (!parsed.pathname.endsWith(SIGNALING_PATH)) parsed.pathname = parsed.pathname.replace(/\/+$/, '') + SIGNALING_PATH;
  return parsed.toString();
}
