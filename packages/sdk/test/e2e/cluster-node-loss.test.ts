import assert from 'node:assert/strict';
import { defineMessages } from '../../src/index.js';
import { ClusterFixture } from './cluster-peers.js';
import { sleep, waitFor, type TestPeer } from './sdk-peers.js';

type Messages = { count: { n: number } };
const messages = defineMessages<Messages>();

const PER_SENDER = 80;
const SEND_GAP_MS = 15;
// Messages each sender has sent when the node dies.
const KILL_AFTER = 25;

/** What `peer` received from `sender`, in arrival order. */
function countsFrom(peer: TestPeer<Messages>, sender: TestPeer<Messages>): number[] {
  return peer.inbox.filter((m) => m.from === sender.room.peerId).map((m) => (m.data as { n: number }).n);
}

const oneToN = Array.from({ length: PER_SENDER }, (_, i) => i + 1);

// Three nodes with peers on each; node 3 is killed (SIGKILL) while reliable traffic flows.
describe('SDK end to end: a node of three dies during reliable traffic', function () {
  this.timeout(90_000);
  let f: ClusterFixture;
  let a: TestPeer<Messages>;
  let b: TestPeer<Messages>;
  let c: TestPeer<Messages>;
  let d: TestPeer<Messages>;
  const leftSeenByA: string[] = [];

  before(async () => {
    f = await ClusterFixture.start(3, ['--reconnect-grace', '15']);
    const [n1, n2, n3] = f.nodes as [typeof f.nodes[0], typeof f.nodes[0], typeof f.nodes[0]];
    a = await f.join('loss', 'alice', { messages, servers: [n1, n2, n3] });
    b = await f.join('loss', 'bob', { messages, servers: [n2, n1, n3] });
    // carol knows the other nodes and resumes there; dave knows only node 3 and is lost with it.
    c = await f.join('loss', 'carol', { messages, servers: [n3, n1, n2] });
    d = await f.join('loss', 'dave', { messages, servers: [n3], reconnect: { timeoutMs: 3000 } });
    await waitFor(() => [a, b, c, d].every((p) => p.room.peers.size === 3), 'everyone to see everyone', 15_000);
    a.room.on('peerLeft', ({ peer }) => leftSeenByA.push(peer.id));
  });
  after(() => f?.close());

  it("moves the dead node's resumable peer to another node with every reliable message exactly once, in order", async () => {
    const senders = [a, b, c];
    const sending = senders.map(async (sender) => {
      for (let n = 1; n <= PER_SENDER; n++) {
        await sender.room.send('count', { n });
        if (sender === a && n === KILL_AFTER) void f.nodes[2]!.kill('SIGKILL');
        await sleep(SEND_GAP_MS);
      }
    });
    await Promise.all(sending);
    await waitFor(
      () => senders.every((receiver) => senders.every((sender) => sender === receiver || countsFrom(receiver, sender).length >= PER_SENDER)),
      'every message to reach every surviving receiver',
      30_000,
    );
    await sleep(500);
    for (const receiver of senders) {
      for (const sender of senders) {
        if (sender === receiver) continue;
        assert.deepEqual(countsFrom(receiver, sender), oneToN, `${receiver.room.self.identity} got ${sender.room.self.identity}'s messages exactly once, in order`);
      }
    }
    assert.equal(c.room.connectionState, 'connected');
  });

  it('tells the others that the unresumable peer left, once, and keeps the resumed one', async () => {
    await waitFor(() => !a.room.peers.has(d.room.peerId) && !b.room.peers.has(d.room.peerId), 'dave to leave the views', 15_000);
    await waitFor(() => a.room.peers.has(c.room.peerId) && b.room.peers.has(c.room.peerId), 'carol to be in the views', 15_000);
    assert.equal(leftSeenByA.filter((id) => id === d.room.peerId).length, 1, 'one peerLeft for dave');
    assert.deepEqual([...c.room.peers.keys()].sort(), [a.room.peerId, b.room.peerId].sort(), 'carol sees the two others, not dave');
  });
});
