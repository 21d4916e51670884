import assert from 'node:assert/strict';
import type { DataConsumer, Router } from 'mediasoup/types';
import {
  decodeDelivered,
  DEFAULT_GRANTS,
  encode,
  encodeOutgoing,
  EnvelopeKind,
  unpackDelivered,
  type ReceivedEnvelope,
} from '@switchboard/sdk/protocol';
import { dataMetrics } from '../src/data/data-metrics.js';
import { DataRouter } from '../src/data/data-router.js';
import { Logger } from '../src/log.js';
import { MEDIA_CODECS } from '../src/media/media-codecs.js';
import { WorkerPool } from '../src/media/worker-pool.js';
import { Metrics } from '../src/metrics/metrics.js';
import { Peer } from '../src/rooms/peer.js';
import { NO_WEBHOOKS } from '../src/webhooks/webhook-event.js';
import { waitFor } from './support/test-server.js';
import { attachLocalBus } from './support/standalone-data.js';

// A random but repeatable sequence, so a failure can be replayed.
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('batched fan-out: deliveries of one turn to the same receivers share SCTP messages', function () {
  this.timeout(30000);
  let pool: WorkerPool;
  let router: Router;
  let data: DataRouter;
  const members = new Map<string, Peer>();
  const MAX_BATCH = 4096;

  beforeEach(async () => {
    members.clear();
    pool = await WorkerPool.start({ size: 1, logger: new Logger('error'), listenIp: '127.0.0.1', port: 0, workerLogLevel: 'error' });
    router = await pool.live()[0]!.worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    data = new DataRouter(members, {
      maxMessageSize: 65536,
      replayBufferBytes: 8 * 1024 * 1024,
      replayMaxAgeMs: 30_000,
      metrics: dataMetrics(new Metrics()),
      streams: { maxOpen: 8, maxBytes: 0, bytesPerSecond: 1 << 24, burstBytes: 1 << 25 },
      logger: new Logger('error'),
      sctpSendBufferBytes: 2 * 1024 * 1024,
      listener: { overflowed: () => undefined, replayIncomplete: () => undefined },
      room: 'batch',
      webhooks: NO_WEBHOOKS,
      batch: { windowMs: 0, maxBytes: MAX_BATCH },
    });
    await attachLocalBus(data);
    await data.addRouter(router);
  });
  afterEach(() => {
    data.close();
    pool.close();
  });

  /** A peer whose reliable deliveries (SCTP messages, and the envelopes in them) are recorded. */
  async function peer(identity: string, topics: string[] | null = null) {
    const p = new Peer({ identity, grants: { ...DEFAULT_GRANTS }, subchannel: data.allocateSubchannel()!, rate: { messagesPerSecond: 1e9, burst: 1e9 } });
    p.home = { worker: pool.live()[0]!, router };
    p.topics = topics === null ? null : new Set(topics);
    members.set(p.id, p);
    const got = { sctpMessages: [] as Buffer[], envelopes: [] as ReceivedEnvelope[] };
    const transport = await router.createDirectTransport();
    transport.observer.on('newdataconsumer', (consumer: DataConsumer) => {
      if (consumer.label !== 'reliable') return;
      consumer.on('message', (message: Buffer) => {
        got.sctpMessages.push(message);
        for (const bytes of unpackDelivered(message)) got.envelopes.push(decodeDelivered(bytes));
      });
    });
    await data.openReceiver(p, transport);
    return { peer: p, got };
  }

  function send(from: Peer, seq: number, options: { to?: string[]; topic?: string; size: number }) {
    const bytes = encodeOutgoing({
      kind: EnvelopeKind.message,
      seq,
      type: 'fuzz',
      data: encode({ n: seq, pad: 'x'.repeat(options.size) }),
      ...(options.to ? { to: options.to } : {}),
      ...(options.topic ? { topic: options.topic } : {}),
    });
    data.route(from, 'reliable', Buffer.from(bytes));
  }

  it('round-trips fuzzed sizes and mixed targets and topics: every receiver gets exactly its messages, in order', async () => {
    const a = await peer('a');
    const b = await peer('b', ['news']);
    const c = await peer('c', []);
    for (const { peer: p } of [a, b, c]) data.startReceiving(p);
    await waitFor(() => [a, b, c].every(({ peer: p }) => p.receiving), 'receivers subscribed');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const next = random(13);
    const expected = new Map<string, number[]>([['a', []], ['b', []], ['c', []]]);
    // Deliveries carry the room's numbering, not the loop's: remember which is which.
    const roomSeq = new Map<number, number>();
    const ids = ['a', 'b', 'c'];
    const peers = { a: a.peer, b: b.peer, c: c.peer } as Record<string, Peer>;
    // Everything in one turn: the batcher may group any of it.
    for (let seq = 1; seq <= 400; seq++) {
      const from = ids[Math.floor(next() * 3)]!;
      const roll = next();
      const size = Math.floor(next() ** 3 * 3000);
      const fromPeer = peers[from]!;
      const n = fromPeer.lastAcceptedSeq + 1;
      if (roll < 0.4) {
        const to = ids.filter((id) => id !== from && next() < 0.7);
        if (to.length === 0) continue;
        send(fromPeer, n, { to: to.map((id) => peers[id]!.id), size });
        for (const id of to) expected.get(id)!.push(seq);
      } else {
        const topic = roll < 0.7 ? 'news' : undefined;
        send(fromPeer, n, { size, ...(topic ? { topic } : {}) });
        for (const id of ids) {
          if (id === from) continue;
          if (id === 'c' && topic !== undefined) continue;
          expected.get(id)!.push(seq);
        }
      }
      roomSeq.set(seq, data.lastSeq);
    }
    const roomSeqs = (id: string) => expected.get(id)!.map((seq) => roomSeq.get(seq)!);
    await waitFor(() => ids.every((id) => ({ a, b, c })[id as 'a']!.got.envelopes.length >= roomSeqs(id).length), 'all deliveries');
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const id of ids) {
      const got = { a, b, c }[id as 'a']!.got;
      assert.deepEqual(got.envelopes.map((e) => e.seq), roomSeqs(id), `${id} got its messages once each, in order`);
      assert.ok(got.sctpMessages.length < got.envelopes.length, `${id}'s deliveries came batched`);
      assert.ok(got.sctpMessages.every((m) => m.byteLength <= MAX_BATCH || unpackDelivered(m).length === 1), 'batches are size-capped');
      for (const e of got.envelopes) {
        const from = [...members.values()].find((p) => p.id === e.from);
        assert.ok(from && from.identity !== id, 'stamped with a real sender other than the receiver');
        assert.equal((e.data as { n: number }).n > 0, true);
      }
    }
  });

  it('replays batched messages to a receiver that resumes, without duplicates', async () => {
    const sender = await peer('sender');
    const late = await peer('late');
    data.startReceiving(sender.peer);
    // `late` is not receiving yet: everything goes to the log, then to it as a replay.
    for (let seq = 1; seq <= 50; seq++) send(sender.peer, seq, { size: 100 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    data.startReceiving(late.peer);
    await waitFor(() => late.peer.receiving, 'the replay');
    for (let seq = 51; seq <= 100; seq++) send(sender.peer, seq, { size: 100 });
    await waitFor(() => late.got.envelopes.length >= 100, 'replay and live messages');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(late.got.envelopes.map((e) => e.seq), Array.from({ length: 100 }, (_, i) => i + 1));
    assert.ok(late.got.sctpMessages.length < 100, 'the live part came batched');
    assert.equal(sender.got.envelopes.length, 0, 'the sender does not get its own broadcasts back');
  });
});
