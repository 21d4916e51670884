import {
  encode,
  encodeNotification,
  LEAVE_SETTLE_MS,
  PROTOCOL_VERSION,
  ProtocolError,
  SwitchboardError,
  type ClientRequests,
  type CloseReason,
  type MediaRequests,
  type NotificationName,
  type PeerInfo,
  type PeerMetadata,
  type RequestMethod,
  type ServerFrame,
  type ServerNotifications,
  type WireError,
} from '@switchboard/sdk/protocol';
import type { RtpCapabilities } from 'mediasoup/types';
import { verifyToken, type TokenPolicy } from '../auth/token.js';
import { RequestLimiter, type LimitClass, type RequestLimits, type Verdict } from '../limits/request-limiter.js';
import type { Logger } from '../log.js';
import type { Counter } from '../metrics/metrics.js';
import type { PeerConnection, Peer } from '../rooms/peer.js';
import type { RoomRegistry } from '../rooms/room-registry.js';
import type { Room } from '../rooms/room.js';
import type { NotificationFlush, QueuedNotifications } from './notification-flush.js';
import { relayDirectSignal } from './direct-relay.js';
import { readRequest } from './request-frame.js';
import { validators } from './request-validation.js';

/** How a session talks to its socket; implemented over uWebSockets.js by the signaling server. */
export interface SessionSocket {
  send(frame: Uint8Array): void;
  close(code: number, reason: string): void;
}

/** Services a session needs. */
export interface SessionContext {
  readonly registry: RoomRegistry;
  readonly tokenSecret: string;
  readonly tokenPolicy: TokenPolicy;
  readonly logger: Logger;
  readonly requests: Counter;
  /** Per-connection rate limits. */
  readonly limits: RequestLimits;
  /** Largest name plus metadata, MessagePack bytes. */
  readonly maxMetadataBytes: number;
  /** How long a connection may stay without a joined peer. */
  readonly joinTimeoutMs: number;
  /** `switchboard_rate_limited_total{class}`, `switchboard_abuse_kicks_total`, `switchboard_join_timeouts_total`. */
  readonly abuse: { rateLimited: Counter; kicked: Counter; joinTimeouts: Counter };
  /** When queued room notifications go out (one for the whole server). */
  readonly notificationFlush: NotificationFlush;
}

/**
 * WebSocket close codes the server uses: standard ones where they fit (1009 message too big,
 * 1013 try again later), 4000–4999 (for applications) otherwise. docs/security.md lists them.
 */
export const CLOSE_CODES = {
  normal: 1000,
  frameTooLarge: 1009,
  serverFull: 1013,
  ended: 4000,
  superseded: 4001,
  joinTimeout: 4002,
  tooManyFromAddress: 4003,
  rateLimited: 4004,
} as const;

// Queued room notifications past this many bytes go out at once rather than at the next flush.
const MAX_QUEUED_BYTES = 64 * 1024;

// Bytes a peerUpdated notification adds around the name and metadata (frame, IDs, field names).
const NOTIFICATION_OVERHEAD = 128;

/** A refusal by a rate limit; the verdict says whether the peer has earned a kick. */
class RateLimited extends SwitchboardError {
  constructor(readonly verdict: Extract<Verdict, { admitted: false }>) {
    super('RATE_LIMITED', REFUSAL_MESSAGES[verdict.limit]);
  }
}

const REFUSAL_MESSAGES: Record<LimitClass, string> = {
  request: 'too many signaling requests; slow down',
  update: 'too many updateSelf/setTopics/kick requests; slow down',
  fanout: 'your updates are sent to too many peers too often; slow down',
  direct: 'too many direct channel signals; slow down',
};

type Result<M extends RequestMethod> = ClientRequests[M]['result'];

/**
 * One signaling connection: decodes frames, validates and dispatches requests, answers each one
 * exactly once, and forwards the room's notifications. It is the {@link PeerConnection} of the
 * peer it joined as.
 */
export class SignalingSession implements PeerConnection, QueuedNotifications {
  private peer: Peer | undefined;
  private room: Room | undefined;
  private joining = false;
  private open = true;
  /** IDs of requests being handled: each gets exactly one answer, even if the session ends. */
  private readonly pending = new Set<number>();
  private readonly limiter: RequestLimiter;
  private joinDeadline: NodeJS.Timeout | undefined;
  /** Room notifications waiting for the next {@link NotificationFlush} run, and their bytes. */
  private queued: Uint8Array[] = [];
  private queuedBytes = 0;

  constructor(
    private readonly socket: SessionSocket,
    private readonly context: SessionContext,
  ) {
    this.limiter = new RequestLimiter(context.limits, Date.now());
    this.armJoinDeadline();
  }

  /** Handles one binary frame from the client. */
  receive(bytes: Uint8Array): void {
    const request = readRequest(bytes);
    if (request.id !== 0) this.pending.add(request.id);
    const verdict = this.limiter.admit('method' in request ? request.method : undefined, Date.now());
    if (!verdict.admitted) {
      this.refuse(request.id, new RateLimited(verdict));
    } else if ('error' in request) {
      this.respondError(request.id, request.error);
    } else {
      void this.dispatch(request.id, request.method, request.data);
    }
  }

  /** Text frames are not part of the protocol. */
  receiveText(): void {
    const verdict = this.limiter.admit(undefined, Date.now());
    if (!verdict.admitted) this.refuse(0, new RateLimited(verdict));
    else this.respondError(0, { code: 'MALFORMED', message: 'signaling frames must be binary MessagePack' });
  }

  /** The socket closed. A joined peer that did not leave waits to resume. */
  closed(): void {
    this.open = false;
    clearTimeout(this.joinDeadline);
    if (this.peer && this.room) this.room.connectionLost(this.peer, this);
  }

  notify<N extends NotificationName>(method: N, data: ServerNotifications[N]): void {
    this.flushNotifications();
    if (this.open) this.socket.send(encodeNotification(method, data));
  }

  notifyEncoded(frame: Uint8Array): void {
    if (!this.open) return;
    this.queued.push(frame);
    this.queuedBytes += frame.byteLength;
    if (this.queuedBytes > MAX_QUEUED_BYTES) this.flushNotifications();
    else if (this.queued.length === 1) this.context.notificationFlush.schedule(this);
  }

  /**
   * Sends the queued room notifications as one message, frames back to back (protocol version
   * 6). Anything else sent on the connection sends them first, so the client reads every frame
   * in the order the server meant it.
   */
  flushNotifications(): void {
    if (this.queued.length === 0) return;
    const frames = this.queued;
    this.queued = [];
    this.queuedBytes = 0;
    if (this.open) this.socket.send(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
  }

  end(reason: CloseReason, message: string): void {
    this.answerPending(`the session ended (${reason}): ${message}`);
    this.notify('closed', { reason, message });
    this.detach(CLOSE_CODES.ended, reason);
  }

  drop(): void {
    this.detach(CLOSE_CODES.superseded, 'superseded');
  }

  private detach(code: number, reason: string): void {
    this.peer = undefined;
    this.room = undefined;
    if (!this.open) return;
    this.answerPending(`the connection is closing (${reason})`);
    this.open = false;
    clearTimeout(this.joinDeadline);
    this.socket.close(code, reason);
  }

  private answerPending(message: string): void {
    for (const id of [...this.pending]) this.respondError(id, { code: 'DISCONNECTED', message });
  }

  // A socket without a joined peer is closed after the deadline: idle sockets cost a file
  // descriptor each. A join under way when it passes gets its own deadline.
  private armJoinDeadline(): void {
    clearTimeout(this.joinDeadline);
    this.joinDeadline = setTimeout(() => {
      if (this.joining) {
        this.armJoinDeadline();
        return;
      }
      this.context.abuse.joinTimeouts.inc();
      this.detach(CLOSE_CODES.joinTimeout, `no join within ${this.context.joinTimeoutMs / 1000} s`);
    }, this.context.joinTimeoutMs);
  }

  private async dispatch(id: number, method: RequestMethod, data: unknown): Promise<void> {
    try {
      if (typeof data !== 'object' || data === null || Array.isArray(data)) {
        throw new ProtocolError('MALFORMED', 'data must be a map');
      }
      const params = validators[method](data as Record<string, unknown>);
      const result = await this.handle(method, params);
      this.context.requests.inc({ method, outcome: 'ok' });
      this.respond(id, { type: 'response', id, ok: true, data: result } as ServerFrame);
    } catch (error) {
      const wire = toWireError(error);
      this.context.requests.inc({ method, outcome: wire.code.toLowerCase() });
      if (wire.code === 'INTERNAL') this.context.logger.error('request failed', { method, error });
      if (error instanceof RateLimited) this.refuse(id, error);
      else this.respondError(id, wire);
    }
  }

  // Answers RATE_LIMITED, counts and logs it (once per window), and kicks a peer that persists.
  private refuse(id: number, error: RateLimited): void {
    const { verdict } = error;
    const peer = this.peer;
    this.context.abuse.rateLimited.inc({ class: verdict.limit });
    this.respondError(id, error.toWire());
    const who = { peer: peer?.id, identity: peer?.identity, room: this.room?.name, limit: verdict.limit };
    if (verdict.firstInWindow) this.context.logger.warn('rate limited a signaling connection', who);
    if (!verdict.kick) return;
    this.context.abuse.kicked.inc({ class: verdict.limit });
    this.context.logger.warn('kicking a connection that kept exceeding its rate limit', who);
    if (peer && this.room) void this.room.kick(peer.id, `kicked for exceeding the ${verdict.limit} rate limit`);
    else this.detach(CLOSE_CODES.rateLimited, 'rate limited');
  }

  private async handle<M extends RequestMethod>(method: M, params: ClientRequests[M]['params']): Promise<Result<M>> {
    if (method === 'join') return (await this.join(params as ClientRequests['join']['params'])) as Result<M>;
    const { peer, room } = this;
    if (!peer || !room) throw new SwitchboardError('NOT_JOINED', `${method} before a successful join`);
    switch (method) {
      case 'connectTransport':
        await room.connectTransport(peer, params as ClientRequests['connectTransport']['params']);
        return {} as Result<M>;
      case 'produceData':
        return (await room.produceData(peer, params as ClientRequests['produceData']['params'])) as Result<M>;
      case 'setTopics':
        room.setTopics(peer, (params as ClientRequests['setTopics']['params']).topics);
        return {} as Result<M>;
      case 'updateSelf':
        return { self: this.updateSelf(peer, room, params as ClientRequests['updateSelf']['params']) } as Result<M>;
      case 'kick': {
        const { peerId, reason } = params as ClientRequests['kick']['params'];
        if (!peer.grants.admin) throw new SwitchboardError('PERMISSION_DENIED', 'kick needs the admin grant');
        if (!(await room.kick(peerId, reason ?? `kicked by ${peer.identity}`))) {
          throw new SwitchboardError('NOT_FOUND', `peer ${peerId} is not in this room`);
        }
        return {} as Result<M>;
      }
      case 'setGrants': {
        const { peerId, ...change } = params as ClientRequests['setGrants']['params'];
        if (!peer.grants.admin) throw new SwitchboardError('PERMISSION_DENIED', 'setGrants needs the admin grant');
        return { grants: await room.setGrants(peerId, change, peer.identity) } as Result<M>;
      }
      case 'directSignal':
        relayDirectSignal(peer, room, params as ClientRequests['directSignal']['params']);
        return {} as Result<M>;
      case 'leave': {
        // Its last messages may still be on their way through the worker (see LEAVE_SETTLE_MS).
        const { sent } = params as ClientRequests['leave']['params'];
        if (sent !== undefined) await peer.settled(sent, LEAVE_SETTLE_MS);
        // The socket may have closed meanwhile (the peer then waits to resume, as any other).
        if (this.peer !== peer) return {} as Result<M>;
        this.peer = undefined;
        this.room = undefined;
        room.leave(peer);
        this.armJoinDeadline();
        return {} as Result<M>;
      }
      default:
        return (await room.media(peer, method as keyof MediaRequests, params as MediaRequests[keyof MediaRequests]['params'])) as Result<M>;
    }
  }

  // Checked here, before the room changes anything: the size cap, then what telling everyone
  // would cost against the fan-out budget (every other peer of the room, on every node).
  private updateSelf(peer: Peer, room: Room, update: ClientRequests['updateSelf']['params']): PeerInfo {
    const bytes = this.profileBytes(update.name ?? peer.name, update.metadata ?? peer.metadata);
    const verdict = this.limiter.admitFanout(bytes + NOTIFICATION_OVERHEAD, room.clusterSize - 1, Date.now());
    if (!verdict.admitted) throw new RateLimited(verdict);
    return room.updateSelf(peer, update);
  }

  // Everyone in the room gets a peer's name and metadata, on join and on every update.
  private profileBytes(name: string | undefined, metadata: PeerMetadata | undefined): number {
    const bytes = encode({ name, metadata }).byteLength;
    const { maxMetadataBytes } = this.context;
    if (bytes > maxMetadataBytes) {
      throw new SwitchboardError('MESSAGE_TOO_LARGE', `name and metadata take ${bytes} bytes; the limit is ${maxMetadataBytes}`);
    }
    return bytes;
  }

  private async join(params: ClientRequests['join']['params']): Promise<Result<'join'>> {
    if (this.peer || this.joining) throw new SwitchboardError('ALREADY_JOINED', 'this connection already joined');
    if (params.protocolVersion !== PROTOCOL_VERSION) {
      throw new ProtocolError('UNSUPPORTED', `protocol version ${params.protocolVersion} is not supported; this server speaks ${PROTOCOL_VERSION}`);
    }
    this.joining = true;
    try {
      let room: Room;
      let peer: Peer;
      let result: Result<'join'>;
      if (params.resume) {
        const { peerId, room: roomName } = params.resume;
        const found = this.context.registry.findPeer(peerId) ?? (roomName === undefined ? undefined : await this.context.registry.takeOver(roomName, params.resume));
        if (!found) throw new SwitchboardError('RESUME_FAILED', 'no such session any more (it timed out or left); join again');
        ({ room, peer } = found);
        result = await room.resume(peer, params.resume, this, params.rtpCapabilities as RtpCapabilities | undefined);
      } else {
        const token = await verifyToken(params.token as string, this.context.tokenSecret, this.context.tokenPolicy);
        this.profileBytes(token.name, token.metadata);
        if (params.room !== undefined && params.room !== token.room) {
          throw new SwitchboardError('PERMISSION_DENIED', `the token is for room "${token.room}", not "${params.room}"`);
        }
        room = await this.context.registry.getOrCreate(token.room);
        ({ peer, result } = await room.join(token, this, {
          topics: params.topics ?? null,
          rtpCapabilities: params.rtpCapabilities as RtpCapabilities | undefined,
        }));
      }
      this.peer = peer;
      this.room = room;
      clearTimeout(this.joinDeadline);
      // The socket may have closed while the join was in flight.
      if (!this.open) room.connectionLost(peer, this);
      return result;
    } finally {
      this.joining = false;
    }
  }

  private respondError(id: number, error: WireError): void {
    this.respond(id, { type: 'response', id, ok: false, error });
  }

  // Frames without a readable ID (0) are answered as they come; requests once only.
  private respond(id: number, frame: ServerFrame): void {
    if (id !== 0 && !this.pending.delete(id)) return;
    this.sendFrame(frame);
  }

  private sendFrame(frame: ServerFrame): void {
    this.flushNotifications();
    if (this.open) this.socket.send(encode(frame));
  }
}

function toWireError(error: unknown): WireError {
  if (error instanceof SwitchboardError) return error.toWire();
  // mediasoup reports invalid parameters (DTLS, SCTP stream) as TypeError.
  if (error instanceof TypeError) return { code: 'MALFORMED', message: error.message };
  return { code: 'INTERNAL', message: 'internal server error' };
}
