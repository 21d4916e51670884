import { SwitchboardError, type DataChannelKind, type ErrorCode, type RequestMethod } from './protocol/index.js';

/** The server answered a signaling request with an error; `code` is the server's. */
export class RequestError extends SwitchboardError {
  /** The request that failed. */
  readonly method: RequestMethod;

  constructor(method: RequestMethod, code: ErrorCode, message: string) {
    super(code, `${method}: ${message}`);
    this.name = 'RequestError';
    this.method = method;
  }
}

/** No answer came in time: a signaling request, the connection set-up, or an RPC. */
export class TimeoutError extends SwitchboardError {
  declare readonly code: 'TIMEOUT';

  constructor(message: string) {
    super('TIMEOUT', message);
    this.name = 'TimeoutError';
  }
}

/** The connection to the server is gone, so the operation cannot complete. */
export class DisconnectedError extends SwitchboardError {
  declare readonly code: 'DISCONNECTED';

  constructor(message: string, options?: { cause?: unknown }) {
    super('DISCONNECTED', message, options);
    this.name = 'DisconnectedError';
  }
}

/**
 * Why the signaling WebSocket could not be opened:
 * - `refused`: nothing accepts connections at that host and port (Node only: browsers do not say).
 * - `tls`: the server's TLS certificate was rejected (Node only; pass the CA to `nodeEnvironment`).
 * - `wrongScheme`: the port speaks TLS to a `ws://` URL (use `wss://`), or plain HTTP to a
 *   `wss://` one (use `ws://`).
 * - `notWebSocket`: an HTTP server answered but accepted no WebSocket at that URL (a wrong path,
 *   or a proxy that does not forward WebSocket upgrades).
 * - `unreachable`: no connection, and the environment does not say why. In a browser this covers
 *   nothing listening, a certificate the browser does not trust, and a network that blocks it; in
 *   Node, a name that does not resolve or a host that cannot be routed to.
 * - `blocked`: the environment refused to open it at all (a `ws://` URL on an `https://` page).
 * - `timeout`: no WebSocket within the time allowed (`requestTimeoutMs`): nothing answered.
 */
export type ConnectionFailure = 'refused' | 'tls' | 'wrongScheme' | 'notWebSocket' | 'unreachable' | 'blocked' | 'timeout';

/**
 * The signaling WebSocket could not be opened; `reason` says why, as far as the environment lets
 * the SDK tell ({@link ConnectionFailure}). Its `cause` is the environment's own error, if any.
 */
export class ConnectionError extends SwitchboardError {
  declare readonly code: 'UNREACHABLE';
  /** Why, as far as it can be told. */
  readonly reason: ConnectionFailure;
  /** The WebSocket URL tried. */
  readonly url: string;

  constructor(reason: ConnectionFailure, url: string, message: string, options?: { cause?: unknown }) {
    super('UNREACHABLE', `cannot open ${url}: ${message}`, options);
    this.name = 'ConnectionError';
    this.reason = reason;
    this.url = url;
  }
}

/**
 * ICE could not connect to the server's media transport, and every address the server announced
 * is a loopback address (127.0.0.1): Firefox never pairs with such candidates, and a browser on
 * another machine cannot reach them. The fix is on the server: `--dev` also listens on the LAN
 * address, or set `--rtc-lan-ip`/`--rtc-ip` to an address the browser reaches (docs/install.md).
 */
export class IceLoopbackError extends SwitchboardError {
  declare readonly code: 'ICE_LOOPBACK_ONLY';
  /** The loopback addresses the server announced. */
  readonly addresses: string[];

  constructor(direction: string, addresses: string[]) {
    super(
      'ICE_LOOPBACK_ONLY',
      `the ${direction} transport failed: the server announced only loopback addresses (${addresses.join(', ')}), ` +
        'which Firefox never connects to and other machines cannot reach; ' +
        'start the server with --dev or --rtc-lan-ip/--rtc-ip set to a LAN address',
    );
    this.name = 'IceLoopbackError';
    this.addresses = addresses;
  }
}

/** Why the SDK refuses to send a message, checked before anything goes on the wire. */
export type MessageErrorCode = 'MESSAGE_TOO_LARGE' | 'MALFORMED' | 'PERMISSION_DENIED';

/**
 * A message the SDK refused to send: larger than the server's limit, a bad type, topic or target
 * list (`MALFORMED`, what the server would answer), or no `sendData` grant. Nothing was sent.
 */
export class MessageError extends SwitchboardError {
  declare readonly code: MessageErrorCode;

  constructor(code: MessageErrorCode, message: string) {
    super(code, message);
    this.name = 'MessageError';
  }
}

/** The server did not deliver one of our data messages (its `messageRejected` notification). */
export class MessageRejectedError extends SwitchboardError {
  /** Our sequence number of the rejected message on `channel`. */
  readonly seq: number;
  /** The channel the message was sent on. */
  readonly channel: DataChannelKind;

  constructor(code: ErrorCode, message: string, seq: number, channel: DataChannelKind) {
    super(code, message);
    this.name = 'MessageRejectedError';
    this.seq = seq;
    this.channel = channel;
  }
}

/**
 * An RPC call failed. `code` says why: `TIMEOUT`, `UNKNOWN_METHOD` (no handler on the remote peer),
 * `HANDLER_ERROR` (the remote handler threw; `message` is its message), `PEER_LEFT`,
 * `DISCONNECTED`, or the server's rejection of the request (e.g. `UNKNOWN_TARGET`).
 */
export class RpcError extends SwitchboardError {
  /** The method called. */
  readonly method: string;
  /** The peer called. */
  readonly peerId: string;

  constructor(code: ErrorCode, message: string, method: string, peerId: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'RpcError';
    this.method = method;
    this.peerId = peerId;
  }
}
