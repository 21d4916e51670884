import {
  decode,
  encode,
  PROTOCOL_VERSION,
  ProtocolError,
  SwitchboardError,
  type ClientRequests,
  type CloseReason,
  type MediaRequests,
  type NotificationName,
  type RequestMethod,
  type ServerFrame,
  type ServerNotifications,
  type WireError,
} from '@switchboard/sdk/protocol';
import type { RtpCapabilities } from 'mediasoup/types';
import { verifyToken } from '../auth/token.js';
import type { Logger } from '../log.js';
import type { Counter } from '../metrics/metrics.js';
import type { PeerConnection, Peer } from '../rooms/peer.js';
import type { RoomRegistry } from '../rooms/room-registry.js';
import type { Room } from '../rooms/room.js';
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
  readonly logger: Logger;
  readonly requests: Counter;
}

/** WebSocket close codes the server uses (4000–4999 are for applications). */
export const CLOSE_CODES = { normal: 1000, ended: 4000, superseded: 4001 } as const;

type Result<M extends RequestMethod> = ClientRequests[M]['result'];

/**
 * One signaling connection: decodes frames, validates and dispatches requests, answers each one
 * exactly once, and forwards the room's notifications. It is the {@link PeerConnection} of the
 * peer it joined as.
 */
export class SignalingSession implements PeerConnection {
  private peer: Peer | undefined;
  private room: Room | undefined;
  private joining = false;
  private open = true;

  constructor(
    private readonly socket: SessionSocket,
    private readonly context: SessionContext,
  ) {}

  /** Handles one binary frame from the client. */
  receive(bytes: Uint8Array): void {
    let frame: Record<string, unknown>;
    try {
      const decoded = decode(bytes);
      if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) {
        throw new ProtocolError('MALFORMED', 'a frame must be a MessagePack map');
      }
      frame = decoded as Record<string, unknown>;
    } catch (error) {
      this.respondError(0, toWireError(error));
      return;
    }
    const id = frame.id;
    if (frame.type !== 'request' || !Number.isSafeInteger(id) || (id as number) <= 0) {
      this.respondError(0, { code: 'MALFORMED', message: 'expected { type: "request", id: positive integer, method, data }' });
      return;
    }
    const method = frame.method;
    if (typeof method !== 'string' || !Object.hasOwn(validators, method)) {
      this.respondError(id as number, { code: 'UNKNOWN_METHOD', message: `unknown method ${JSON.stringify(method)}` });
      return;
    }
    void this.dispatch(id as number, method as RequestMethod, frame.data ?? {});
  }

  /** Text frames are not part of the protocol. */
  receiveText(): void {
    this.respondError(0, { code: 'MALFORMED', message: 'signaling frames must be binary MessagePack' });
  }

  /** The socket closed. A joined peer that did not leave waits to resume. */
  closed(): void {
    this.open = false;
    if (this.peer && this.room) this.room.connectionLost(this.peer, this);
  }

  notify<N extends NotificationName>(method: N, data: ServerNotifications[N]): void {
    this.sendFrame({ type: 'notification', method, data } as ServerFrame);
  }

  end(reason: CloseReason, message: string): void {
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
    this.open = false;
    this.socket.close(code, reason);
  }

  private async dispatch(id: number, method: RequestMethod, data: unknown): Promise<void> {
    try {
      if (typeof data !== 'object' || data === null || Array.isArray(data)) {
        throw new ProtocolError('MALFORMED', 'data must be a map');
      }
      const params = validators[method](data as Record<string, unknown>);
      const result = await this.handle(method, params);
      this.context.requests.inc({ method, outcome: 'ok' });
      this.sendFrame({ type: 'response', id, ok: true, data: result } as ServerFrame);
    } catch (error) {
      const wire = toWireError(error);
      this.context.requests.inc({ method, outcome: wire.code.toLowerCase() });
      if (wire.code === 'INTERNAL') this.context.logger.error('request failed', { method, error });
      this.respondError(id, wire);
    }
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
        return { self: room.updateSelf(peer, params as ClientRequests['updateSelf']['params']) } as Result<M>;
      case 'kick': {
        const { peerId, reason } = params as ClientRequests['kick']['params'];
        if (!peer.grants.admin) throw new SwitchboardError('PERMISSION_DENIED', 'kick needs the admin grant');
        if (!room.kick(peerId, reason ?? `kicked by ${peer.identity}`)) {
          throw new SwitchboardError('NOT_FOUND', `peer ${peerId} is not in this room`);
        }
        return {} as Result<M>;
      }
      case 'leave':
        this.peer = undefined;
        this.room = undefined;
        room.leave(peer);
        return {} as Result<M>;
      default:
        return (await room.media(peer, method as keyof MediaRequests, params as MediaRequests[keyof MediaRequests]['params'])) as Result<M>;
    }
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
        const found = this.context.registry.findPeer(params.resume.peerId);
        if (!found) throw new SwitchboardError('RESUME_FAILED', 'no such session any more (it timed out or left); join again');
        ({ room, peer } = found);
        result = await room.resume(peer, params.resume, this, params.rtpCapabilities as RtpCapabilities | undefined);
      } else {
        const token = await verifyToken(params.token as string, this.context.tokenSecret);
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
      // The socket may have closed while the join was in flight.
      if (!this.open) room.connectionLost(peer, this);
      return result;
    } finally {
      this.joining = false;
    }
  }

  private respondError(id: number, error: WireError): void {
    this.sendFrame({ type: 'response', id, ok: false, error });
  }

  private sendFrame(frame: ServerFrame): void {
    if (this.open) this.socket.send(encode(frame));
  }
}

function toWireError(error: unknown): WireError {
  if (error instanceof SwitchboardError) return error.toWire();
  // mediasoup reports invalid parameters (DTLS, SCTP stream) as TypeError.
  if (error instanceof TypeError) return { code: 'MALFORMED', message: error.message };
  return { code: 'INTERNAL', message: 'internal server error' };
}
