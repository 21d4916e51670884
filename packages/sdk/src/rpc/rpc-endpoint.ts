import type { UnsequencedEnvelope } from '../data-channel/outgoing.js';
import { DisconnectedError, MessageError, RpcError } from '../errors.js';
import type { Unsubscribe } from '../events.js';
import { encode, EnvelopeKind, SwitchboardError, type ErrorCode, type ReceivedEnvelope, type WireError } from '../protocol/index.js';

/** Who is calling a handler, and how. */
export interface RpcContext {
  /** The caller's peer ID, stamped by the server. */
  from: string;
  /** The method called. */
  method: string;
}

/** Answers calls of one method; may be async. What it returns (or resolves to) is the result. */
export type RpcHandler = (payload: unknown, context: RpcContext) => unknown;

/** Options of one call. */
export interface RpcCallOptions {
  /** How long to wait for the answer, in ms (default: the room's `rpcTimeoutMs`). */
  timeoutMs?: number;
}

/** How an {@link RpcEndpoint} sends: reliably, returning the reliable sequence number used. */
export interface RpcTransport {
  send(envelope: UnsequencedEnvelope): number;
}

/** The payload of an RPC response envelope. */
type RpcResponsePayload = { ok: true; result: unknown } | { ok: false; error: WireError };

interface PendingCall {
  peerId: string;
  method: string;
  seq: number;
  resolve: (result: unknown) => void;
  reject: (error: RpcError) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Calls methods on other peers and answers their calls. A call is a targeted reliable message
 * (`rpcRequest`, with a call ID) answered by an `rpcResponse` carrying `{ ok, result | error }`.
 * Every failure is an {@link RpcError} whose code says why.
 */
export class RpcEndpoint {
  private readonly handlers = new Map<string, RpcHandler>();
  private readonly calls = new Map<number, PendingCall>();
  private nextCallId = 1;

  constructor(
    private readonly transport: RpcTransport,
    private readonly defaultTimeoutMs: number,
  ) {}

  /** Calls `method` on peer `peerId` and resolves with its result. */
  call(peerId: string, method: string, payload: unknown, options: RpcCallOptions = {}): Promise<unknown> {
    const callId = this.nextCallId++;
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    return new Promise((resolve, reject) => {
      let seq: number;
      try {
        seq = this.transport.send({ kind: EnvelopeKind.rpcRequest, type: method, to: peerId, callId, data: encode(payload ?? null) });
      } catch (error) {
        // Besides the SDK's typed refusals, only encoding the payload can throw.
        const code: ErrorCode = error instanceof SwitchboardError ? error.code : 'MALFORMED';
        reject(new RpcError(code, `${method} on ${peerId}: ${(error as Error).message}`, method, peerId, { cause: error }));
        return;
      }
      const timer = setTimeout(
        () => this.settle(callId, new RpcError('TIMEOUT', `${method} on ${peerId}: no answer within ${timeoutMs} ms`, method, peerId)),
        timeoutMs,
      );
      this.calls.set(callId, { peerId, method, seq, resolve, reject, timer });
    });
  }

  /** Answers calls of `method` with `handler`, replacing any earlier one; returns the way to stop. */
  handle(method: string, handler: RpcHandler): Unsubscribe {
    this.handlers.set(method, handler);
    return () => {
      if (this.handlers.get(method) === handler) this.handlers.delete(method);
    };
  }

  /** Takes an RPC envelope (request or response) that arrived with its decoded payload. */
  receive(envelope: ReceivedEnvelope, payload: unknown): void {
    if (envelope.callId === undefined) return;
    if (envelope.kind === EnvelopeKind.rpcRequest) void this.answer(envelope, envelope.callId, payload);
    else if (envelope.kind === EnvelopeKind.rpcResponse) this.resolveCall(envelope.from, envelope.callId, payload);
  }

  /** The server rejected our reliable message `seq`; fails the call it carried, if any. */
  rejected(seq: number, error: SwitchboardError): void {
    for (const [callId, call] of this.calls) {
      if (call.seq === seq) {
        this.settle(callId, new RpcError(error.code, `${call.method} on ${call.peerId}: ${error.message}`, call.method, call.peerId, { cause: error }));
        return;
      }
    }
  }

  /** Peer `peerId` left: its answers will never come. */
  peerLeft(peerId: string): void {
    for (const [callId, call] of this.calls) {
      if (call.peerId === peerId) {
        this.settle(callId, new RpcError('PEER_LEFT', `${call.method} on ${peerId}: the peer left`, call.method, peerId));
      }
    }
  }

  /** Fails every pending call with `error`'s code (the session is over). */
  failAll(error: SwitchboardError): void {
    for (const [callId, call] of this.calls) {
      this.settle(callId, new RpcError(error.code, `${call.method} on ${call.peerId}: ${error.message}`, call.method, call.peerId, { cause: error }));
    }
  }

  private resolveCall(from: string, callId: number, payload: unknown): void {
    const call = this.calls.get(callId);
    // The server stamps `from`, so only the called peer can answer; late answers are ignored.
    if (call === undefined || call.peerId !== from) return;
    const response = payload as Partial<RpcResponsePayload> | null;
    if (response?.ok === true) {
      this.settle(callId, undefined, response.result);
      return;
    }
    const error = response?.ok === false ? response.error : undefined;
    const code = typeof error?.code === 'string' ? error.code : 'MALFORMED';
    const message = typeof error?.message === 'string' ? error.message : 'malformed RPC response';
    this.settle(callId, new RpcError(code, message, call.method, call.peerId));
  }

  private settle(callId: number, error: RpcError | undefined, result?: unknown): void {
    const call = this.calls.get(callId);
    if (call === undefined) return;
    this.calls.delete(callId);
    clearTimeout(call.timer);
    if (error === undefined) call.resolve(result);
    else call.reject(error);
  }

  private async answer(request: ReceivedEnvelope, callId: number, payload: unknown): Promise<void> {
    const method = request.type;
    const handler = this.handlers.get(method);
    let response: RpcResponsePayload;
    if (handler === undefined) {
      response = { ok: false, error: { code: 'UNKNOWN_METHOD', message: `no handler for ${method}` } };
    } else {
      try {
        response = { ok: true, result: (await handler(payload, { from: request.from, method })) ?? null };
      } catch (error) {
        response = { ok: false, error: { code: 'HANDLER_ERROR', message: error instanceof Error ? error.message : String(error) } };
      }
    }
    const reply = (body: RpcResponsePayload): unknown => {
      try {
        this.transport.send({ kind: EnvelopeKind.rpcResponse, type: method, to: request.from, callId, data: encode(body) });
        return undefined;
      } catch (error) {
        return error;
      }
    };
    const failure = reply(response);
    // After a disconnect the caller's call fails on its own; otherwise (a result too large or not
    // encodable) tell it why rather than let it time out, if even that can be sent.
    if (failure === undefined || failure instanceof DisconnectedError) return;
    const code = failure instanceof MessageError ? failure.code : 'HANDLER_ERROR';
    reply({ ok: false, error: { code, message: `${method}: cannot send the result: ${(failure as Error).message}` } });
  }
}
