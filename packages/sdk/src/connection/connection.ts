import type { RtpCapabilities } from 'mediasoup-client/types';
import type { Environment } from '../env/environment.js';
import { DisconnectedError, RequestError } from '../errors.js';
import { Emitter } from '../events.js';
import { PROTOCOL_VERSION, type CloseReason, type Grants, type RequestMethod, type SwitchboardError } from '../protocol/index.js';
import type { AnyNotification, JoinResult, RequestParams, RequestResult } from '../signaling/server-frame.js';
import { SignalingClient } from '../signaling/signaling-client.js';
import type { IceSettings, SessionFactory, TransportSession } from '../transport/session.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { ServerList } from './server-list.js';

/** Where a room's connection stands. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

/** Why a room disconnected for good: the server's close reason, or `connectionLost` (reconnect off). */
export type DisconnectReason = CloseReason | 'connectionLost';

/** A room's end. */
export interface DisconnectedEvent {
  reason: DisconnectReason;
  /** The server's explanation, or the SDK's. */
  message: string;
  /** The failure behind `reconnectTimeout`, `resumeFailed` or `connectionLost`. */
  error?: SwitchboardError;
}

/** Everything a {@link Connection} needs, defaults applied. */
export interface ConnectionSettings {
  /** The signaling WebSocket URLs (path included) to use, one at a time. */
  servers: ServerList;
  token: string;
  /** The room meant, checked by the server against the token's. */
  room: string | undefined;
  /** Initial topic filter; null receives all. */
  topics: string[] | null;
  /** Where WebSockets come from. */
  environment: Pick<Environment, 'createWebSocket'>;
  /** Makes the WebRTC session of each join (with media, or data only). */
  createSession: SessionFactory;
  requestTimeoutMs: number;
  reconnect: { enabled: boolean; timeoutMs: number; backoff: Required<BackoffOptions> };
  /** How long a transport may stay `disconnected` before the connection counts as lost, in ms. */
  disconnectedGraceMs: number;
  /** The room sequence number of the last reliable message received, for resuming. */
  lastReceivedSeq: () => number;
  /** ICE settings of the app; without `servers` the join result's are used. */
  ice?: IceSettings;
}

/** Events of a {@link Connection}. */
export interface ConnectionEvents {
  /** A `join` succeeded (first or resumed); transports are not up yet. */
  joined: JoinResult;
  /** The WebRTC session of the current join is up. */
  ready: TransportSession;
  /** The connection broke; a reconnect follows unless `closed` does. */
  lost: DisconnectedError;
  notification: AnyNotification;
  /** A message from one of the receive channels. */
  data: unknown;
  state: { state: ConnectionState; previous: ConnectionState };
  /** The session is over for good. */
  closed: DisconnectedEvent;
}

/**
 * One room session across reconnects: the signaling socket and the WebRTC session, the first
 * `join` and later resumes with backoff, and the decision to give up.
 */
export class Connection {
  readonly events = new Emitter<ConnectionEvents>();
  private current: ConnectionState = 'connecting';
  private signaling: SignalingClient | undefined;
  private session: TransportSession | undefined;
  /**
   * The socket of a session whose WebRTC side broke, kept open until the next join: when the
   * server ends a session it sends `closed` there, but its transports may close (and be noticed)
   * first, and that reason must win over resuming.
   */
  private lingering: SignalingClient | undefined;
  private credentials: { peerId: string; resumeKey: string; room: string } | undefined;
  // What our device can receive, from the last session that started; a resume sends them so the
  // server can let us consume again at once.
  private rtpCapabilities: RtpCapabilities | undefined;
  private leaving = false;
  private giveUpTimer: ReturnType<typeof setTimeout> | undefined;
  private wake: (() => void) | undefined;
  private readonly waiters = new Set<{ resolve: () => void; reject: (error: Error) => void }>();

  constructor(private readonly settings: ConnectionSettings) {}

  /** Where the connection stands. */
  get state(): ConnectionState {
    return this.current;
  }

  /**
   * Joins with the token, trying each server once until one answers. On failure nothing stays
   * open and no event is emitted.
   */
  async open(): Promise<JoinResult> {
    const { token, room, topics, servers } = this.settings;
    for (let tried = 1; ; tried++) {
      try {
        const result = await this.attempt({ protocolVersion: PROTOCOL_VERSION, token, room, topics }, Infinity);
        this.setState('connected');
        return result;
      } catch (error) {
        // If the join itself went through, leaving spares the room a ghost peer until the server's
        // grace period ends. Best effort: the socket may be gone.
        if (this.credentials !== undefined) this.signaling?.request('leave', {}).catch(() => undefined);
        this.credentials = undefined;
        this.teardown();
        if (tried >= servers.size || !serverMayBeAtFault(error) || this.current === 'disconnected') {
          this.current = 'disconnected';
          throw error;
        }
        servers.next();
      }
    }
  }

  /** Sends a request once connected (waiting through a reconnect). */
  async request<M extends RequestMethod>(method: M, data: RequestParams<M>): Promise<RequestResult<M>> {
    if (this.current !== 'connected') {
      await new Promise<void>((resolve, reject) => {
        if (this.current === 'disconnected') reject(new DisconnectedError(`${method}: the room is disconnected`));
        else this.waiters.add({ resolve, reject });
      });
    }
    if (this.signaling === undefined) throw new DisconnectedError(`${method}: the room is disconnected`);
    return this.signaling.request(method, data);
  }

  /** Leaves the room (telling the server if connected) and closes everything. */
  async leave(params: RequestParams<'leave'> = {}): Promise<void> {
    if (this.current === 'disconnected') return;
    this.leaving = true;
    if (this.current === 'connected') {
      // Without an answer the server still ends the session, after its grace period.
      await this.signaling?.request('leave', params).catch(() => undefined);
    }
    this.finish('left', 'left the room');
  }

  /** One connection attempt: socket, join, WebRTC session. Cleans up after itself only on success. */
  private async attempt(params: RequestParams<'join'>, deadline: number): Promise<JoinResult> {
    const { settings } = this;
    const budget = (): number => Math.max(1, Math.min(settings.requestTimeoutMs, deadline - Date.now()));
    // Only the first join's failure reaches the app, so only it is worth explaining.
    const explain = params.resume === undefined;
    const signaling = await SignalingClient.open(
      settings.servers.current,
      settings.environment,
      { openTimeoutMs: budget(), requestTimeoutMs: settings.requestTimeoutMs },
      explain,
    );
    if (this.current === 'disconnected') {
      signaling.close();
      throw new DisconnectedError('the room was disconnected while connecting');
    }
    this.signaling = signaling;
    signaling.on('notification', (notification) => this.notified(notification));
    signaling.on('close', () => {
      if (signaling === this.signaling) this.broken(new DisconnectedError('the signaling connection closed'), false);
    });
    // Notifications the server sent after its answer tell what the answer's peer list does not
    // know yet: they are handled after it, even when they arrive together with it.
    let result: JoinResult;
    try {
      result = await signaling.requestInOrder('join', params);
      if (params.resume !== undefined && !result.resumed) {
        throw new RequestError('join', 'RESUME_FAILED', 'the server started a new session instead of resuming');
      }
      this.credentials = { peerId: result.self.id, resumeKey: result.resumeKey, room: result.room };
      this.events.emit('joined', result);
    } finally {
      signaling.release();
    }
    const session = settings.createSession({
      join: result,
      request: (method, data) => signaling.request(method, data),
      onData: (data) => this.events.emit('data', data),
      onFailure: (error) => this.broken(error, true),
      openTimeoutMs: budget(),
      disconnectedGraceMs: settings.disconnectedGraceMs,
      ...(settings.ice ? { ice: settings.ice } : {}),
    });
    this.session = session;
    await session.start();
    this.rtpCapabilities = session.rtpCapabilities;
    this.events.emit('ready', session);
    return result;
  }

  private notified(notification: AnyNotification): void {
    if (notification.method === 'closed') {
      this.finish(notification.data.reason, notification.data.message);
      return;
    }
    this.events.emit('notification', notification);
    if (notification.method === 'grantsChanged' && this.lacksSendSide(notification.data.grants)) {
      // A viewer's session has no send transport (the server made none): a resume brings one.
      this.broken(new DisconnectedError('new grants need a send transport: resuming the session'), false);
    }
  }

  /** Whether the current session cannot do what `grants` allow: send data, or publish (with media). */
  private lacksSendSide(grants: Grants): boolean {
    const session = this.session;
    if (session === undefined || this.current !== 'connected') return false;
    return (grants.sendData && session.channels === undefined) || (grants.publish && session.media !== undefined && session.media.sendTransport === undefined);
  }

  /** The socket or (`linger`) the WebRTC session broke. */
  private broken(error: DisconnectedError, linger: boolean): void {
    // During an attempt, closing makes its pending step fail; the attempt's caller decides.
    if (this.current !== 'connected') {
      this.teardown();
      return;
    }
    if (linger) {
      this.lingering = this.signaling;
      this.signaling = undefined;
    }
    this.teardown();
    this.events.emit('lost', error);
    if (this.leaving) this.finish('left', 'left the room');
    else if (!this.settings.reconnect.enabled) this.finish('connectionLost', error.message, error);
    else void this.reconnect(error);
  }

  private async reconnect(cause: DisconnectedError): Promise<void> {
    const { timeoutMs, backoff } = this.settings.reconnect;
    const deadline = Date.now() + timeoutMs;
    this.setState('reconnecting');
    this.giveUpTimer = setTimeout(() => this.finish('reconnectTimeout', `could not reconnect within ${timeoutMs} ms`, cause), timeoutMs);
    for (let attempt = 0; this.current === 'reconnecting'; attempt++) {
      await this.sleep(backoffDelay(backoff, attempt));
      if (this.current !== 'reconnecting') return;
      try {
        const resume = { ...this.credentials!, lastReceivedSeq: this.settings.lastReceivedSeq() };
        await this.attempt({ protocolVersion: PROTOCOL_VERSION, resume, rtpCapabilities: this.rtpCapabilities }, deadline);
        clearTimeout(this.giveUpTimer);
        this.dropLingering();
        this.setState('connected');
        return;
      } catch (error) {
        this.teardown();
        // A server's answer to `join` will not change on retry, unless the server is at fault.
        if (!serverMayBeAtFault(error)) this.finish('resumeFailed', (error as Error).message, error as SwitchboardError);
        // The server may be gone for good: the next attempt goes to the next one.
        else this.settings.servers.next();
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Ends the session for good (once). */
  private finish(reason: DisconnectReason, message: string, error?: SwitchboardError): void {
    if (this.current === 'disconnected') return;
    clearTimeout(this.giveUpTimer);
    this.wake?.();
    this.teardown();
    this.dropLingering();
    this.setState('disconnected');
    for (const waiter of this.waiters) waiter.reject(new DisconnectedError(message));
    this.waiters.clear();
    this.events.emit('closed', error === undefined ? { reason, message } : { reason, message, error });
  }

  private teardown(): void {
    this.session?.close();
    this.session = undefined;
    this.signaling?.close();
    this.signaling = undefined;
  }

  private dropLingering(): void {
    this.lingering?.close();
    this.lingering = undefined;
  }

  private setState(state: ConnectionState): void {
    const previous = this.current;
    if (state === previous) return;
    this.current = state;
    if (state === 'connected') {
      for (const waiter of this.waiters) waiter.resolve();
      this.waiters.clear();
    }
    this.events.emit('state', { state, previous });
  }
}

/**
 * Whether another attempt (on this server later, or on another one) may succeed: anything but
 * the server's considered answer to `join`, which INTERNAL and UNAVAILABLE are not.
 */
function serverMayBeAtFault(error: unknown): boolean {
  if (!(error instanceof RequestError) || error.method !== 'join') return true;
  return error.code === 'INTERNAL' || error.code === 'UNAVAILABLE';
}
