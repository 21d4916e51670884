import type { Environment, WebSocketCloseEvent, WebSocketLike } from '../env/environment.js';
import { ConnectionError, DisconnectedError, RequestError, TimeoutError } from '../errors.js';
import { Emitter, type Listener, type Unsubscribe } from '../events.js';
import { encode, ProtocolError, type RequestMethod } from '../protocol/index.js';
import { readServerFrames, type AnyNotification, type ParsedResponse, type RequestParams, type RequestResult } from './server-frame.js';
import { diagnoseSocketFailure, type SocketErrorDetail } from './socket-failure.js';

/** Events of a {@link SignalingClient}. */
export interface SignalingEvents {
  /** A notification from the server. */
  notification: AnyNotification;
  /** The socket closed (not through {@link SignalingClient.close}); pending requests have failed. */
  close: WebSocketCloseEvent;
  /** A frame that could not be read was ignored; the connection stays open, as on the server. */
  malformed: ProtocolError;
}

/** Timeouts of a {@link SignalingClient}, in milliseconds. */
export interface SignalingTimeouts {
  /** How long to wait for the WebSocket to open. */
  openTimeoutMs: number;
  /** How long to wait for the response to a request, unless the request says otherwise. */
  requestTimeoutMs: number;
}

interface PendingRequest {
  method: RequestMethod;
  resolve: (data: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  /** Whether notifications after its answer wait for {@link SignalingClient.release}. */
  holdsAfter: boolean;
}

const OPEN = 1;
const NORMAL_CLOSURE = 1000;

/**
 * The signaling WebSocket: binary MessagePack frames, requests answered by id, notifications
 * dispatched as events. Failures are typed: {@link ConnectionError} (no WebSocket, and why),
 * {@link RequestError} (the server's error), {@link TimeoutError}, {@link DisconnectedError}.
 */
export class SignalingClient {
  private readonly events = new Emitter<SignalingEvents>();
  private readonly pending = new Map<number, PendingRequest>();
  private nextId = 1;
  private opened = false;
  private closed = false;
  private openFailed: (() => void) | undefined;
  /** What the socket's first `error` event said. */
  private socketError: SocketErrorDetail | undefined;
  /** Notifications received since the answer of a {@link requestInOrder}, not yet delivered. */
  private held: AnyNotification[] | undefined;

  private constructor(
    private readonly socket: WebSocketLike,
    private readonly requestTimeoutMs: number,
  ) {
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('message', (event) => this.receive(event.data));
    socket.addEventListener('close', (event) => this.socketClosed(event));
    // Every error is followed by a close event, which is where failures are handled; what the
    // error said tells why a socket never opened. (`ws` throws on an error nobody listens to.)
    socket.addEventListener('error', (event) => {
      this.socketError ??= { error: event.error, message: event.message };
    });
  }

  /**
   * Opens a signaling connection to `url`. When there is none within `openTimeoutMs` it rejects
   * with a {@link ConnectionError} saying why, as far as the environment lets it be told; with
   * `probe` false it does not ask the host over HTTP(S) to find out (a reconnect, whose failures
   * nobody reads, does not).
   */
  static open(url: string, environment: Pick<Environment, 'createWebSocket'>, timeouts: SignalingTimeouts, probe = true): Promise<SignalingClient> {
    let socket: WebSocketLike;
    try {
      socket = environment.createWebSocket(url);
    } catch (error) {
      // Browsers throw at once for a `ws://` URL on an `https://` page, or a forbidden port.
      return Promise.reject(new ConnectionError('blocked', url, `the environment refused to open it: ${(error as Error).message}`, { cause: error }));
    }
    const client = new SignalingClient(socket, timeouts.requestTimeoutMs);
    const deadline = Date.now() + timeouts.openTimeoutMs;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        client.close();
        reject(new ConnectionError('timeout', url, `no answer within ${timeouts.openTimeoutMs} ms (is a firewall dropping the connection?)`));
      }, timeouts.openTimeoutMs);
      client.openFailed = () => {
        clearTimeout(timer);
        // Closed before opening: find out why, within what is left of the time allowed.
        diagnoseSocketFailure(url, client.socketError, probe ? deadline - Date.now() : 0).then(reject, reject);
      };
      client.socket.addEventListener('open', () => {
        clearTimeout(timer);
        client.opened = true;
        client.openFailed = undefined;
        resolve(client);
      });
    });
  }

  /** Whether requests can be sent. */
  get isOpen(): boolean {
    return !this.closed && this.socket.readyState === OPEN;
  }

  /** Listens to `event`. */
  on<K extends keyof SignalingEvents>(event: K, listener: Listener<SignalingEvents[K]>): Unsubscribe {
    return this.events.on(event, listener);
  }

  /** Sends a request and resolves with the server's result. */
  request<M extends RequestMethod>(method: M, data: RequestParams<M>, timeoutMs = this.requestTimeoutMs): Promise<RequestResult<M>> {
    return this.send(method, data, timeoutMs, false);
  }

  /**
   * Sends a request whose answer the caller takes in before any notification the server sent
   * after it: from the answer on, notifications wait, in order, until {@link release}. A
   * WebSocket may hand over several frames at once (Node's `ws` does, for one TCP read) before
   * the code awaiting the answer runs, and a notification handled then would meet state the
   * answer has not set yet (a `join`'s peer list).
   */
  requestInOrder<M extends RequestMethod>(method: M, data: RequestParams<M>): Promise<RequestResult<M>> {
    return this.send(method, data, this.requestTimeoutMs, true);
  }

  /** Delivers the notifications held since a {@link requestInOrder} answer, and stops holding. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const notification of held) this.events.emit('notification', notification);
  }

  /** Closes the connection; pending requests fail with {@link DisconnectedError}. No `close` event. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.failPending(new DisconnectedError('the signaling connection was closed by the client'));
    this.socket.close(NORMAL_CLOSURE);
  }

  private send<M extends RequestMethod>(method: M, data: RequestParams<M>, timeoutMs: number, holdsAfter: boolean): Promise<RequestResult<M>> {
    if (!this.isOpen) return Promise.reject(new DisconnectedError(`${method}: the signaling connection is closed`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new TimeoutError(`${method}: no response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (data: unknown) => void, reject, timer, holdsAfter });
      this.socket.send(encode({ type: 'request', id, method, data }));
    });
  }

  private receive(data: unknown): void {
    if (this.closed) return;
    try {
      readServerFrames(data, (frame) => this.handle(frame));
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.events.emit('malformed', error);
    }
  }

  private handle(frame: ParsedResponse | AnyNotification): void {
    if (this.closed) return;
    if (frame.type === 'notification') {
      if (this.held) this.held.push(frame);
      else this.events.emit('notification', frame);
      return;
    }
    // Unknown ids are answers to requests that already timed out.
    const request = this.pending.get(frame.id);
    if (request === undefined) return;
    this.pending.delete(frame.id);
    clearTimeout(request.timer);
    if (request.holdsAfter) this.held ??= [];
    if (frame.ok) request.resolve(frame.data);
    else request.reject(new RequestError(request.method, frame.error.code, frame.error.message));
  }

  private socketClosed(event: WebSocketCloseEvent): void {
    if (this.closed) return;
    this.closed = true;
    const error = new DisconnectedError(`the signaling connection closed (code ${event.code}${event.reason ? `: ${event.reason}` : ''})`);
    this.failPending(error);
    // What the server said before closing (a `closed` notification) comes before the close.
    this.release();
    if (this.opened) this.events.emit('close', { code: event.code, reason: event.reason });
    else this.openFailed?.();
  }

  private failPending(error: Error): void {
    for (const request of this.pending.values()) {
      clearTimeout(request.timer);
      request.reject(error);
    }
    this.pending.clear();
  }
}
