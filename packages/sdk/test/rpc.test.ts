import assert from 'node:assert/strict';
import type { UnsequencedEnvelope } from '../src/data-channel/outgoing.js';
import { DisconnectedError, MessageError, MessageRejectedError, RpcError } from '../src/errors.js';
import { decode, type DeliveredEnvelope } from '../src/protocol/index.js';
import { RpcEndpoint, type RpcTransport } from '../src/rpc/rpc-endpoint.js';

/**
 * Stands in for the server between RPC endpoints: delivers targeted envelopes on the next tick,
 * stamps the sender, and rejects unknown targets as the server would.
 */
class Loopback {
  readonly endpoints = new Map<string, RpcEndpoint>();
  readonly sentBy = new Map<string, UnsequencedEnvelope[]>();
  /** Envelopes larger than this many payload bytes are refused, as a size limit would. */
  maxPayload = 10_000;
  private roomSeq = 0;

  endpoint(peerId: string, timeoutMs = 2000): RpcEndpoint {
    let seq = 0;
    const transport: RpcTransport = {
      send: (envelope) => {
        if (envelope.data.byteLength > this.maxPayload) throw new MessageError('MESSAGE_TOO_LARGE', 'too large');
        const mine = ++seq;
        this.sentBy.set(peerId, [...(this.sentBy.get(peerId) ?? []), envelope]);
        setImmediate(() => this.route(peerId, mine, envelope));
        return mine;
      },
    };
    const endpoint = new RpcEndpoint(transport, timeoutMs);
    this.endpoints.set(peerId, endpoint);
    return endpoint;
  }

  deliver(to: string, envelope: DeliveredEnvelope): void {
    this.endpoints.get(to)!.receive(envelope, decode(envelope.data));
  }

  private route(from: string, seq: number, envelope: UnsequencedEnvelope): void {
    const to = envelope.to as string;
    const target = this.endpoints.get(to);
    if (target === undefined) {
      this.endpoints.get(from)!.rejected(seq, new MessageRejectedError('UNKNOWN_TARGET', `no peer ${to}`, seq, 'reliable'));
      return;
    }
    const { to: _to, ...rest } = envelope;
    this.deliver(to, { ...rest, seq: ++this.roomSeq, from, serverTime: Date.now(), targeted: true });
  }
}

function rpcError(code: string, message?: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof RpcError, `expected an RpcError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  };
}

describe('RPC endpoints over a loopback', () => {
  let net: Loopback;
  let alice: RpcEndpoint;
  let bob: RpcEndpoint;

  beforeEach(() => {
    net = new Loopback();
    alice = net.endpoint('alice');
    bob = net.endpoint('bob');
  });

  afterEach(() => {
    for (const endpoint of net.endpoints.values()) endpoint.failAll(new DisconnectedError('test over'));
  });

  it('returns the handler result, sync or async, and tells the handler who called', async () => {
    const callers: string[] = [];
    bob.handle('add', (payload, context) => {
      callers.push(`${context.from}:${context.method}`);
      const { a, b } = payload as { a: number; b: number };
      return a + b;
    });
    bob.handle('echo', async (payload) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return payload;
    });
    assert.equal(await alice.call('bob', 'add', { a: 2, b: 3 }), 5);
    assert.deepEqual(await alice.call('bob', 'echo', { nested: [1, 'two'] }), { nested: [1, 'two'] });
    assert.deepEqual(callers, ['alice:add']);
  });

  it('sends requests as targeted RPC envelopes with call IDs', async () => {
    bob.handle('ping', () => 'pong');
    await alice.call('bob', 'ping', null);
    const [request] = net.sentBy.get('alice')!;
    assert.equal(request!.kind, 1);
    assert.equal(request!.to, 'bob');
    assert.equal(request!.type, 'ping');
    assert.equal(typeof request!.callId, 'number');
    const [response] = net.sentBy.get('bob')!;
    assert.equal(response!.kind, 2);
    assert.equal(response!.callId, request!.callId);
    assert.deepEqual(decode(response!.data), { ok: true, result: 'pong' });
  });

  it('fails with UNKNOWN_METHOD when the remote has no handler', async () => {
    const stop = bob.handle('there', () => 1);
    stop();
    await assert.rejects(alice.call('bob', 'there', {}), rpcError('UNKNOWN_METHOD', /there/));
  });

  it('fails with HANDLER_ERROR and the remote message when the handler throws or rejects', async () => {
    bob.handle('sync', () => {
      throw new Error('sync boom');
    });
    bob.handle('async', async () => {
      throw new Error('async boom');
    });
    await assert.rejects(alice.call('bob', 'sync', {}), rpcError('HANDLER_ERROR', /sync boom/));
    await assert.rejects(alice.call('bob', 'async', {}), rpcError('HANDLER_ERROR', /async boom/));
  });

  it('fails with TIMEOUT when no answer comes in time, and ignores a late answer', async () => {
    let finish!: (value: string) => void;
    bob.handle('slow', () => new Promise<string>((resolve) => (finish = resolve)));
    const started = Date.now();
    await assert.rejects(alice.call('bob', 'slow', {}, { timeoutMs: 30 }), rpcError('TIMEOUT'));
    assert.ok(Date.now() - started < 1000);
    finish('too late');
    await new Promise((resolve) => setImmediate(resolve));
    bob.handle('fast', () => 'ok');
    assert.equal(await alice.call('bob', 'fast', {}), 'ok');
  });

  it('fails with PEER_LEFT when the callee leaves while the call waits', async () => {
    bob.handle('never', () => new Promise(() => undefined));
    const call = alice.call('bob', 'never', {});
    await new Promise((resolve) => setImmediate(resolve));
    alice.peerLeft('carol');
    alice.peerLeft('bob');
    await assert.rejects(call, rpcError('PEER_LEFT'));
  });

  it('fails promptly with the server rejection of the request (UNKNOWN_TARGET)', async () => {
    const started = Date.now();
    await assert.rejects(alice.call('nobody', 'x', {}, { timeoutMs: 5000 }), rpcError('UNKNOWN_TARGET', /no peer nobody/));
    assert.ok(Date.now() - started < 1000);
  });

  it('fails every pending call when the session ends', async () => {
    bob.handle('never', () => new Promise(() => undefined));
    const call = alice.call('bob', 'never', {});
    alice.failAll(new DisconnectedError('gone'));
    await assert.rejects(call, rpcError('DISCONNECTED'));
  });

  it('fails at once when the request cannot be sent, with the reason as code', async () => {
    net.maxPayload = 10;
    await assert.rejects(alice.call('bob', 'x', { big: 'x'.repeat(100) }), rpcError('MESSAGE_TOO_LARGE'));
  });

  it('tells the caller when the result is too large to send back', async () => {
    bob.handle('big', () => 'x'.repeat(1000));
    net.maxPayload = 200;
    await assert.rejects(alice.call('bob', 'big', {}), rpcError('MESSAGE_TOO_LARGE', /cannot send the result/));
  });

  it('accepts an answer only from the peer that was called', async () => {
    bob.handle('never', () => new Promise(() => undefined));
    const call = alice.call('bob', 'never', {}, { timeoutMs: 100 });
    await new Promise((resolve) => setImmediate(resolve));
    const [request] = net.sentBy.get('alice')!;
    net.deliver('alice', {
      kind: 2,
      seq: 99,
      from: 'mallory',
      serverTime: 0,
      type: 'never',
      targeted: true,
      callId: request!.callId!,
      data: new Uint8Array([0x82, 0xa2, 0x6f, 0x6b, 0xc3, 0xa6, 0x72, 0x65, 0x73, 0x75, 0x6c, 0x74, 0x01]),
    });
    await assert.rejects(call, rpcError('TIMEOUT'));
  });
});
