import assert from 'node:assert/strict';
import { defineMessages, MessageError, RpcError, type MessageRejectedError } from '../../src/index.js';
import { ClusterFixture } from './cluster-peers.js';
import { SdkFixture, sleep, waitFor, type TestPeer } from './sdk-peers.js';
import { TOPOLOGIES } from './topologies.js';

type Messages = {
  chat: { text: string };
  control: { action: 'play' | 'pause'; at?: number };
};
const messages = defineMessages<Messages>();

// How long "provably nothing" waits after the messages that did arrive.
const QUIET_MS = 500;

/** Where the suite's peers are, and how to tell that the room spans what the topology promises. */
interface MessagingTopology {
  readonly name: string;
  start(): Promise<Fixture>;
}

interface Fixture {
  join: SdkFixture['join'];
  /** Workers (one node) or nodes (cluster) the room `e2e` spans, and how many it should. */
  spread(): { actual: number | undefined; expected: number };
  close(): Promise<void>;
}

const CLUSTER_NODES = 3;

const MESSAGING_TOPOLOGIES: readonly MessagingTopology[] = [
  ...TOPOLOGIES.map((topology) => ({
    name: topology.name,
    async start(): Promise<Fixture> {
      const f = await SdkFixture.start([...topology.flags]);
      return {
        join: (...args) => f.join(...args),
        spread: () => ({ actual: f.server.server.rooms.get('e2e')?.workerPids.length, expected: topology.workersPerRoom }),
        close: () => f.close(),
      };
    },
  })),
  {
    name: 'three nodes with Redis, peers on different nodes',
    async start(): Promise<Fixture> {
      const f = await ClusterFixture.start(CLUSTER_NODES);
      return {
        join: (room, identity, options = {}) => {
          const { claims, ...rest } = options;
          return f.join(room, identity, { ...rest, ...(claims?.name === undefined ? {} : { claims: { name: claims.name } }) });
        },
        spread: () => ({ actual: f.nodesSpanned('e2e'), expected: CLUSTER_NODES }),
        close: () => f.close(),
      };
    },
  },
];

for (const topology of MESSAGING_TOPOLOGIES) {
  describe(`SDK end to end: messaging between Node peers (${topology.name})`, function () {
    this.timeout(30000);
    let f: Fixture;
    let a: TestPeer<Messages>;
    let b: TestPeer<Messages>;
    let c: TestPeer<Messages>;

    before(async function () {
      // Starting server processes and Redis takes longer than any one test.
      this.timeout(90_000);
      f = await topology.start();
      a = await f.join('e2e', 'alice', { messages });
      b = await f.join('e2e', 'bob', { messages });
      c = await f.join('e2e', 'carol', { messages });
      await waitFor(() => a.room.peers.size === 2 && b.room.peers.size === 2 && c.room.peers.size === 2, 'everyone to see everyone');
      const { actual, expected } = f.spread();
      assert.equal(actual, expected, 'the room spans the expected workers or nodes');
    });

    after(() => f.close());
    beforeEach(() => [a, b, c].forEach((p) => (p.inbox.length = 0)));

    it('broadcasts to every other peer, with sender, type, data and server time', async () => {
      const before = Date.now();
      await a.room.send('chat', { text: 'hello room' });
      await waitFor(() => b.inbox.length === 1 && c.inbox.length === 1, 'b and c');
      for (const p of [b, c]) {
        const [message] = p.inbox;
        assert.equal(message?.type, 'chat');
        assert.equal(message?.from, a.room.peerId);
        assert.deepEqual(message?.data, { text: 'hello room' });
        assert.equal(message?.targeted, false);
        assert.ok(message!.serverTime >= before - 1000 && message!.serverTime <= Date.now() + 1000);
      }
      await sleep(QUIET_MS);
      assert.deepEqual(a.inbox, [], 'the sender does not get its own broadcast');
    });

    it('delivers a targeted message to its target only, and a list to each listed peer', async () => {
      await a.room.send('control', { action: 'pause', at: 12.5 }, { to: b.room.peerId });
      await a.room.send('chat', { text: 'b and c' }, { to: [b.room.peerId, c.room.peerId] });
      await waitFor(() => b.inbox.length === 2 && c.inbox.length === 1, 'deliveries');
      assert.deepEqual(b.inbox.map((m) => [m.type, m.data, m.targeted]), [
        ['control', { action: 'pause', at: 12.5 }, true],
        ['chat', { text: 'b and c' }, true],
      ]);
      await sleep(QUIET_MS);
      assert.deepEqual(c.inbox.map((m) => m.data), [{ text: 'b and c' }], 'c got only the list message');
      assert.deepEqual(a.inbox, []);
    });

    it('routes typed listeners by message type', async () => {
      const chats: string[] = [];
      const stop = b.room.on('message:chat', (message) => chats.push(message.data.text));
      await a.room.send('control', { action: 'play' });
      await a.room.send('chat', { text: 'typed' });
      await waitFor(() => b.inbox.length === 2, 'both messages');
      stop();
      assert.deepEqual(chats, ['typed']);
    });

    it('delivers lossy messages too', async () => {
      await c.room.send('chat', { text: 'fast' }, { reliable: false });
      await waitFor(() => a.inbox.length === 1 && b.inbox.length === 1, 'lossy delivery');
      assert.deepEqual(a.inbox[0]?.data, { text: 'fast' });
    });

    it('delivers lossy messages of 1, 4, 16 and 60 KiB, targeted and broadcast, at default options', async () => {
      const sizes = [1, 4, 16, 60].map((kib) => kib * 1024);
      for (const size of sizes) await a.room.send('chat', { text: 'x'.repeat(size) }, { reliable: false, to: b.room.peerId });
      for (const size of sizes) await a.room.send('chat', { text: 'y'.repeat(size) }, { reliable: false });
      await waitFor(() => b.inbox.length === 2 * sizes.length && c.inbox.length === sizes.length, 'every lossy message', 5000);
      const lengths = (p: TestPeer<Messages>) => p.inbox.map((m) => (m.data as { text: string }).text.length).sort((x, y) => x - y);
      assert.deepEqual(lengths(b), [...sizes, ...sizes].sort((x, y) => x - y));
      assert.deepEqual(lengths(c), sizes);
      assert.equal(a.room.stats.lossyDropped, 0);
    });

    it('delivers a burst of 500 small lossy messages sent in one tick, each once or refused with an event', async () => {
      // The server's default burst (400 messages) refuses the rest of a 500-message burst as
      // RATE_LIMITED: each refusal is a messageRejected event, so nothing vanishes silently.
      const refused: MessageRejectedError[] = [];
      const stop = a.room.on('messageRejected', (error) => refused.push(error));
      const burst = Array.from({ length: 500 }, (_, i) => a.room.send('chat', { text: `burst ${i}` }, { reliable: false, to: b.room.peerId }));
      await Promise.all(burst);
      await waitFor(() => b.inbox.length + refused.length === 500, 'every message of the burst to arrive or be refused', 5000);
      await sleep(QUIET_MS);
      stop();
      assert.equal(b.inbox.length + refused.length, 500);
      assert.equal(new Set(b.inbox.map((m) => (m.data as { text: string }).text)).size, b.inbox.length, 'each message once');
      assert.ok(b.inbox.length >= 300, `most of the burst arrived (${b.inbox.length})`);
      assert.ok(refused.every((error) => error.code === 'RATE_LIMITED' && error.channel === 'lossy'), 'refusals are the rate limit');
    });

    it('delivers lossy messages sent to a peer the moment it is seen joining, before its receive channel is up', async () => {
      // peerJoined comes as soon as the server admits the peer, before the peer has even
      // started ICE: what is sent to it then waits for its channel (up to the lossy lifetime).
      const sent: string[] = [];
      const stop = a.room.on('peerJoined', ({ peer }) => {
        if (peer.identity !== 'erin') return;
        for (let i = 0; i < 20; i++) {
          sent.push(`to erin ${i}`, `to all ${i}`);
          void a.room.send('chat', { text: `to erin ${i}` }, { reliable: false, to: peer.id });
          void a.room.send('chat', { text: `to all ${i}` }, { reliable: false });
        }
      });
      const e = await f.join('e2e', 'erin', { messages });
      try {
        await waitFor(() => e.inbox.length === sent.length, 'every lossy message sent on peerJoined', 5000).catch((error: Error) => {
          throw new Error(`${error.message}: ${e.inbox.length} of ${sent.length} arrived`);
        });
        await sleep(QUIET_MS);
        assert.deepEqual(e.inbox.map((m) => (m.data as { text: string }).text).sort(), [...sent].sort(), 'each once');
        assert.equal(a.room.stats.lossyDropped, 0);
      } finally {
        stop();
        await e.room.leave();
        await waitFor(() => a.room.peers.size === 2, 'erin to be gone');
      }
    });

    it('delivers every reliable message sent right before leave(), though the leave request takes a shorter path', async () => {
      const leaver = await f.join('e2e', 'leaver', { messages });
      await waitFor(() => b.room.peers.has(leaver.room.peerId), 'b to see the leaver');
      const inboxBefore = b.inbox.length;
      const sent = Array.from({ length: 50 }, (_, i) => `last words ${i}`);
      for (const text of sent) void leaver.room.send('chat', { text });
      await leaver.room.leave();
      await waitFor(() => !b.room.peers.has(leaver.room.peerId), 'b to see the leaver go');
      await sleep(QUIET_MS);
      assert.deepEqual(b.inbox.slice(inboxBefore).map((m) => (m.data as { text: string }).text), sent);
    });

    it('refuses a lossy message above maxLossyMessageSize at send(), typed and naming the limit', async () => {
      const limit = a.room.limits.maxLossyMessageSize!;
      const error = await a.room.send('chat', { text: 'z'.repeat(limit) }, { reliable: false }).then(
        () => assert.fail('the send resolved'),
        (thrown: unknown) => thrown as MessageError,
      );
      assert.ok(error instanceof MessageError);
      assert.equal(error.code, 'MESSAGE_TOO_LARGE');
      assert.match(error.message, /maxLossyMessageSize/);
      await sleep(QUIET_MS);
      assert.deepEqual([b.inbox, c.inbox], [[], []], 'nothing was sent');
    });

    it('filters broadcasts by topic on the server', async () => {
      const d = await f.join('e2e', 'dave', { messages, topics: ['sports'] });
      await waitFor(() => a.room.peers.size === 3, 'a to see dave');
      await a.room.send('chat', { text: 'news item' }, { topic: 'news' });
      await a.room.send('chat', { text: 'goal!' }, { topic: 'sports' });
      await a.room.send('chat', { text: 'no topic' });
      await waitFor(() => b.inbox.length === 3 && d.inbox.length === 2, 'deliveries');
      await sleep(QUIET_MS);
      assert.deepEqual(d.inbox.map((m) => [m.data, m.topic]), [
        [{ text: 'goal!' }, 'sports'],
        [{ text: 'no topic' }, undefined],
      ]);
      await d.room.setTopics(null);
      await a.room.send('chat', { text: 'news again' }, { topic: 'news' });
      await waitFor(() => d.inbox.length === 3, 'all topics after setTopics(null)');
      await d.room.leave();
    });

    it('at default options resolves on hand-off, and reports a refusal as messageRejected and in stats', async () => {
      const outsider = await f.join('elsewhere', 'eve', { messages });
      const rejectedBefore = a.room.stats.rejected;
      const rejected = new Promise<MessageRejectedError>((resolve) => a.room.once('messageRejected', resolve));
      await a.room.send('chat', { text: 'psst' }, { to: outsider.room.peerId });
      const error = await rejected;
      assert.equal(error.code, 'UNKNOWN_TARGET');
      assert.equal(error.channel, 'reliable');
      assert.equal(a.room.stats.rejected, rejectedBefore + 1);
      await sleep(QUIET_MS);
      assert.deepEqual([b.inbox, c.inbox, outsider.inbox], [[], [], []]);
      await outsider.room.leave();
    });

    it('with receipt: true, rejects a target outside the room with UNKNOWN_TARGET and delivers nothing', async () => {
      const outsider = await f.join('elsewhere', 'eve', { messages });
      const rejected = new Promise<MessageRejectedError>((resolve) => a.room.once('messageRejected', resolve));
      const receipt = await a.room.send('chat', { text: 'psst' }, { to: [b.room.peerId, outsider.room.peerId], receipt: true }).then(
        () => assert.fail('the send resolved'),
        (error: unknown) => error as MessageRejectedError,
      );
      assert.equal(receipt.code, 'UNKNOWN_TARGET', 'the send rejects with the reason');
      const error = await rejected;
      assert.equal(error.code, 'UNKNOWN_TARGET', 'and the event still comes');
      await sleep(QUIET_MS);
      assert.deepEqual([b.inbox, c.inbox, outsider.inbox], [[], [], []]);
      await outsider.room.leave();
    });

    it('answers RPC calls, and fails them with typed errors', async () => {
      const stop = b.room.handle('add', (payload) => {
        const { x, y } = payload as { x: number; y: number };
        return x + y;
      });
      b.room.handle('explode', () => {
        throw new Error('kaboom');
      });
      b.room.handle('slow', () => new Promise((resolve) => setTimeout(resolve, 2000)));
      assert.equal(await a.room.rpc<number>(b.room.peerId, 'add', { x: 2, y: 40 }), 42);
      const code = async (call: Promise<unknown>) => {
        const error = await call.then(() => undefined, (e: unknown) => e);
        assert.ok(error instanceof RpcError, `expected RpcError, got ${String(error)}`);
        return { code: error.code, message: error.message };
      };
      assert.equal((await code(a.room.rpc(b.room.peerId, 'nope'))).code, 'UNKNOWN_METHOD');
      const thrown = await code(a.room.rpc(b.room.peerId, 'explode'));
      assert.equal(thrown.code, 'HANDLER_ERROR');
      assert.match(thrown.message, /kaboom/);
      assert.equal((await code(a.room.rpc(b.room.peerId, 'slow', null, { timeoutMs: 300 }))).code, 'TIMEOUT');
      assert.equal((await code(a.room.rpc('no-such-peer', 'add', { x: 1, y: 1 }))).code, 'UNKNOWN_TARGET');
      stop();
      assert.equal((await code(a.room.rpc(b.room.peerId, 'add', { x: 1, y: 1 }))).code, 'UNKNOWN_METHOD');
    });

    it('admits many peers joining at once, each ending up with the full peer list', async () => {
      const crowd = await Promise.all(Array.from({ length: 8 }, (_, i) => f.join('crowd', `fan-${i}`, { messages })));
      await waitFor(() => crowd.every((p) => p.room.peers.size === 7), 'every peer to see the seven others', 10000);
      await Promise.all(crowd.map((p) => p.room.leave()));
    });

    it('fails a pending RPC with PEER_LEFT when the callee leaves', async () => {
      const leaver = await f.join('e2e', 'leaver', { messages });
      leaver.room.handle('wait', () => new Promise(() => undefined));
      await waitFor(() => a.room.peers.has(leaver.room.peerId), 'a to see the leaver');
      const call = a.room.rpc(leaver.room.peerId, 'wait', null, { timeoutMs: 10000 }).then(() => undefined, (e: unknown) => e);
      await sleep(200);
      await leaver.room.leave();
      const error = await call;
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, 'PEER_LEFT');
    });
  });
}
