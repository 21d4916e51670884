import assert from 'node:assert/strict';
import { UdpRelay } from '../../../server/test/support/udp-relay.js';
import { announcedWorkerAddress } from '../../../server/test/support/worker-port.js';
import { FlakyNetwork } from './flaky-network.js';
import { SdkFixture, sleep, waitFor } from './sdk-peers.js';

type Chat = { chat: { n: number } };

// SDK peers reach the worker only through a relay dropping 5 % of the datagrams each way with
// up to 20 ms of jitter (see the server's lossy-network suite for the set-up).
describe('SDK end to end: lossy network (5 % loss, 20 ms jitter)', function () {
  this.timeout(60000);
  let f: SdkFixture;
  let relay: UdpRelay;

  before(async () => {
    f = await SdkFixture.start(['--rtc-announced-address', '127.0.0.2', '--reconnect-grace', '20']);
    const worker = await announcedWorkerAddress(f.server);
    relay = await UdpRelay.start({
      listen: worker,
      target: { address: '127.0.0.1', port: worker.port },
      impairment: { loss: 0.05, delayMs: 0, jitterMs: 20 },
      seed: 1405,
    });
  });
  after(async () => {
    await f?.close();
    relay?.close();
  });

  it('answers RPC calls', async () => {
    const a = await f.join('rpc', 'a');
    const b = await f.join('rpc', 'b');
    b.room.handle('add', (payload) => {
      const { x, y } = payload as { x: number; y: number };
      return x + y;
    });
    await waitFor(() => a.room.peers.has(b.room.peerId), 'a to see b');
    const sums = await Promise.all(Array.from({ length: 50 }, (_, x) => a.room.rpc<number>(b.room.peerId, 'add', { x, y: 1 })));
    assert.deepEqual(sums, Array.from({ length: 50 }, (_, x) => x + 1));
    assert.ok(relay.stats.dropped > 0, 'the relay dropped datagrams');
  });

  it('resumes after a signaling drop with every message exactly once and in order, both ways', async () => {
    const network = new FlakyNetwork();
    const flaky = await f.join<Chat>('resume', 'flaky', { environment: network.environment, reconnect: { timeoutMs: 30000 } });
    const steady = await f.join<Chat>('resume', 'steady');
    await waitFor(() => flaky.room.peers.size === 1 && steady.room.peers.size === 1, 'peers to see each other');
    const flakyId = flaky.room.peerId;
    const before = Array.from({ length: 30 }, (_, n) => flaky.room.send('chat', { n }));
    network.cut();
    const during = Array.from({ length: 20 }, (_, i) => flaky.room.send('chat', { n: 30 + i }));
    for (let n = 0; n < 20; n++) await steady.room.send('chat', { n: 1000 + n }, { to: flakyId });
    await sleep(500);
    network.restore();
    await Promise.all([...before, ...during]);
    await waitFor(() => steady.inbox.length >= 50 && flaky.inbox.length >= 20, 'every message after the resume', 30000);
    await sleep(500);
    assert.deepEqual(steady.inbox.map((m) => m.data.n), Array.from({ length: 50 }, (_, n) => n));
    assert.deepEqual(flaky.inbox.map((m) => m.data.n), Array.from({ length: 20 }, (_, n) => 1000 + n));
    assert.equal(flaky.room.peerId, flakyId, 'the same session resumed');
  });
});
