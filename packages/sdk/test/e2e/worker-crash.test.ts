import assert from 'node:assert/strict';
import { SdkFixture, sleep, waitFor, type TestPeer } from './sdk-peers.js';

type Numbered = { n: { i: number } };

// Messages each way; the worker is killed after the first third.
const COUNT = 150;
const KILL_AFTER = 50;

/** The workers' liveness as `/healthz` reports it. */
async function aliveWorkers(f: SdkFixture): Promise<number> {
  const health = (await (await fetch(`${f.server.server.url}/healthz`)).json()) as { workers: { alive: boolean }[] };
  return health.workers.filter((w) => w.alive).length;
}

/** Every state change of a peer's connection, in order. */
function states(peer: TestPeer<Numbered>): string[] {
  const seen: string[] = [];
  peer.room.on('connectionStateChanged', ({ state }) => seen.push(state));
  return seen;
}

/** Sends 1..COUNT from `from` to `to`, one every few ms; calls `halfway` after KILL_AFTER. */
async function pump(from: TestPeer<Numbered>, to: TestPeer<Numbered>, halfway: () => void): Promise<void> {
  const sends: Promise<void>[] = [];
  for (let i = 1; i <= COUNT; i++) {
    sends.push(from.room.send('n', { i }, { to: to.room.peerId }));
    if (i === KILL_AFTER) halfway();
    await sleep(5);
  }
  await Promise.all(sends);
}

const numbers = (peer: TestPeer<Numbered>) => peer.inbox.map((m) => m.data.i);
const oneToCount = Array.from({ length: COUNT }, (_, i) => i + 1);

// Chaos: `kill -9` the mediasoup worker under numbered reliable traffic both ways.
for (const workers of [1, 2]) {
  describe(`SDK end to end: kill -9 a mediasoup worker (${workers} worker${workers > 1 ? 's' : ''})`, function () {
    this.timeout(60000);
    let f: SdkFixture;

    before(async () => (f = await SdkFixture.start(['--workers', String(workers), '--worker-placement', 'spread'])));
    after(() => f.close());

    it('loses, duplicates and reorders nothing; only the peers on that worker resume; joins meanwhile wait', async () => {
      const a = await f.join<Numbered>('chaos', 'a');
      const b = await f.join<Numbered>('chaos', 'b');
      const room = f.server.server.rooms.get('chaos')!;
      const pidA = room.workerPidOf(a.room.peerId)!;
      const pidB = room.workerPidOf(b.room.peerId)!;
      assert.equal(new Set([pidA, pidB]).size, workers, 'a and b are on different workers when there are two');
      const ids = [a.room.peerId, b.room.peerId];
      const aStates = states(a);
      const bStates = states(b);
      let lateJoin: Promise<TestPeer<Numbered>> | undefined;
      const kill = () => {
        process.kill(pidA, 'SIGKILL');
        // With one worker this join lands in the gap before the pool has respawned it.
        lateJoin = f.join<Numbered>('chaos', 'late');
      };

      await Promise.all([pump(a, b, kill), pump(b, a, () => undefined)]);
      await waitFor(() => a.inbox.length >= COUNT && b.inbox.length >= COUNT, 'every message to arrive', 30000);
      await sleep(300);
      assert.deepEqual(numbers(b), oneToCount, 'b got 1..n from a exactly once, in order');
      assert.deepEqual(numbers(a), oneToCount, 'a got 1..n from b exactly once, in order');
      assert.deepEqual([a.room.peerId, b.room.peerId], ids, 'sessions resumed, not rejoined');
      assert.ok(aStates.includes('reconnecting'), 'a, on the killed worker, resumed');
      if (workers === 2) assert.deepEqual(bStates, [], 'b, on the other worker, never noticed');
      else assert.ok(bStates.includes('reconnecting'), 'b, on the same worker, resumed');
      assert.notEqual(room.workerPidOf(a.room.peerId), pidA, 'a is on a live worker');

      const late = await lateJoin!;
      await a.room.send('n', { i: COUNT + 1 });
      await waitFor(() => late.inbox.some((m) => m.data.i === COUNT + 1), 'the late joiner to receive');
      const deadline = Date.now() + 10000;
      while ((await aliveWorkers(f)) !== workers) {
        assert.ok(Date.now() < deadline, 'the killed worker was replaced in time');
        await sleep(100);
      }
    });
  });
}
