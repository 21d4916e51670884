import assert from 'node:assert/strict';
import type { ConnectionState, DisconnectedEvent } from '../../src/index.js';
import { FlakyNetwork } from './flaky-network.js';
import { SdkFixture, sleep, waitFor } from './sdk-peers.js';

type Chat = { chat: { n: number } };

describe('SDK end to end: reconnect', function () {
  this.timeout(40000);
  let f: SdkFixture;

  before(async () => (f = await SdkFixture.start(['--reconnect-grace', '10', '--messages-per-second', '10000', '--message-burst', '10000'])));
  after(() => f.close());

  it('resumes after a drop: messages sent meanwhile, both ways, arrive exactly once and in order', async () => {
    const network = new FlakyNetwork();
    const flaky = await f.join<Chat>('r1', 'flaky', { environment: network.environment, reconnect: { timeoutMs: 15000 } });
    const steady = await f.join<Chat>('r1', 'steady');
    await waitFor(() => flaky.room.peers.size === 1 && steady.room.peers.size === 1, 'peers to see each other');
    const states: ConnectionState[] = [];
    flaky.room.on('connectionStateChanged', ({ state }) => states.push(state));
    const flakyId = flaky.room.peerId;

    // A burst right before the cut: some of it is in flight, some processed but not yet acked.
    const burst = Array.from({ length: 50 }, (_, n) => flaky.room.send('chat', { n }));
    network.cut();
    await waitFor(() => flaky.room.connectionState === 'reconnecting', 'flaky to notice the drop');
    // During the outage: flaky keeps sending (queued), steady sends to flaky (kept by the server).
    const queued = Array.from({ length: 20 }, (_, i) => flaky.room.send('chat', { n: 50 + i }));
    for (let n = 0; n < 30; n++) await steady.room.send('chat', { n: 1000 + n }, { to: flakyId });
    await sleep(1500);
    assert.equal(steady.room.peers.has(flakyId), true, 'the dropped peer keeps its place while it may resume');
    network.restore();

    await Promise.all([...burst, ...queued]);
    await waitFor(() => steady.inbox.length >= 70 && flaky.inbox.length >= 30, 'every message after the resume', 20000);
    await sleep(500);
    assert.deepEqual(steady.inbox.map((m) => m.data.n), Array.from({ length: 70 }, (_, n) => n), 'flaky → steady exactly once, in order');
    assert.deepEqual(flaky.inbox.map((m) => m.data.n), Array.from({ length: 30 }, (_, n) => 1000 + n), 'steady → flaky exactly once, in order');
    assert.equal(flaky.room.peerId, flakyId, 'same session after the resume');
    assert.equal(flaky.room.connectionState, 'connected');
    assert.deepEqual(states.slice(0, 1), ['reconnecting']);
    assert.equal(states.at(-1), 'connected');
  });

  it('gives up after its reconnect timeout with a clear reason', async () => {
    const network = new FlakyNetwork();
    const peer = await f.join<Chat>('r2', 'doomed', { environment: network.environment, reconnect: { timeoutMs: 1500 } });
    const ended = new Promise<DisconnectedEvent>((resolve) => peer.room.once('disconnected', resolve));
    network.cut();
    const event = await ended;
    assert.equal(event.reason, 'reconnectTimeout');
    await assert.rejects(peer.room.send('chat', { n: 1 }), (error: Error & { code?: string }) => error.code === 'DISCONNECTED');
  });
});
