import assert from 'node:assert/strict';
import { SdkFixture, waitFor, type TestPeer } from './sdk-peers.js';

type Chat = { chat: { text: string } };

describe('SDK end to end: a mediasoup worker crashes', function () {
  this.timeout(40000);
  let f: SdkFixture;

  before(async () => (f = await SdkFixture.start(['--workers', '2'])));
  after(() => f.close());

  async function exchange(from: TestPeer<Chat>, to: TestPeer<Chat>, text: string): Promise<void> {
    await from.room.send('chat', { text });
    await waitFor(() => to.inbox.some((m) => m.data.text === text), `"${text}" to arrive`, 15000);
  }

  it('keeps rooms on other workers running and moves the crashed room, whose peers resume', async () => {
    const a1 = await f.join<Chat>('crash-a', 'a1');
    const a2 = await f.join<Chat>('crash-a', 'a2');
    const b1 = await f.join<Chat>('crash-b', 'b1');
    const b2 = await f.join<Chat>('crash-b', 'b2');
    const rooms = f.server.server.rooms;
    const pidA = rooms.get('crash-a')!.workerPid;
    const pidB = rooms.get('crash-b')!.workerPid;
    assert.notEqual(pidA, pidB, 'the two rooms are on different workers');
    const a1Id = a1.room.peerId;

    process.kill(pidA, 'SIGKILL');
    await exchange(b1, b2, 'room b is unaffected');
    await waitFor(() => rooms.get('crash-a')?.workerPid !== pidA, 'room a to move to a live worker');
    await exchange(a1, a2, 'room a works again');
    await exchange(a2, a1, 'both ways');
    assert.equal(a1.room.peerId, a1Id, 'the session resumed rather than rejoined');
    assert.equal(b1.inbox.length + b2.inbox.length, 1, 'room b saw only its own message');
    let alive = 0;
    await waitFor(() => {
      void fetch(`${f.server.server.url}/healthz`)
        .then((r) => r.json() as Promise<{ workers: { alive: boolean }[] }>)
        .then((h) => (alive = h.workers.filter((w) => w.alive).length));
      return alive === 2;
    }, 'the crashed worker to be replaced');
  });
});
