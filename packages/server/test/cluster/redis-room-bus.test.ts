import { expect } from 'chai';
import { waitFor } from '../support/test-server.js';
import { message, peer, Recorder, redisBusSuite, text } from './bus-support.js';

describe('Redis room bus', function () {
  const { nodes, node } = redisBusSuite();

  it('gives reliable messages from concurrent publishers on several nodes one total order, delivered once per node', async () => {
    const all = await nodes('a', 'b', 'c');
    const recorders = all.map(() => new Recorder());
    const channels = await Promise.all(all.map((bus, i) => bus.openRoom('lobby', recorders[i]!)));
    const perNode = 40;
    const seqs = await Promise.all(
      channels.flatMap((channel, n) => Array.from({ length: perNode }, (_, i) => channel.publishReliable(message(`p${n}`, `${n}:${i}`)))),
    );
    expect([...seqs].sort((x, y) => x - y)).to.deep.equal(Array.from({ length: 3 * perNode }, (_, i) => i + 1));
    await waitFor(() => recorders.every((r) => r.reliableMessages.length >= 3 * perNode), 'every node to get every message');
    const orders = recorders.map((r) => r.reliableMessages.map((m) => `${m.seq}/${text(m)}`));
    expect(orders[0]).to.have.length(3 * perNode);
    expect(orders[1]).to.deep.equal(orders[0]);
    expect(orders[2]).to.deep.equal(orders[0]);
    expect(recorders[0]!.reliableMessages.map((m) => m.seq)).to.deep.equal(Array.from({ length: 3 * perNode }, (_, i) => i + 1));
    // Each publisher's own messages keep the order it sent them in.
    for (let n = 0; n < 3; n++) {
      const own = recorders[0]!.reliableMessages.filter((m) => m.from === `p${n}`).map((m) => text(m));
      expect(own).to.deep.equal(Array.from({ length: perNode }, (_, i) => `${n}:${i}`));
    }
  });

  it('ends each read of the log with readDone, after its messages, so the node sends them at once', async () => {
    const [a, b] = await nodes('a', 'b');
    const recorders = [new Recorder(), new Recorder()];
    const [channel] = await Promise.all([a!.openRoom('lobby', recorders[0]!), b!.openRoom('lobby', recorders[1]!)]);
    await Promise.all(Array.from({ length: 30 }, (_, i) => channel!.publishReliable(message('p', `m${i}`))));
    await waitFor(() => recorders.every((r) => r.readsDone.at(-1) === 30), 'a read ending after the last message on each node');
    for (const recorder of recorders) {
      // Each read ends once, after at least one message of its own.
      expect(recorder.readsDone).to.deep.equal([...new Set(recorder.readsDone)].sort((x, y) => x - y));
      expect(recorder.readsDone[0]).to.be.greaterThan(0);
    }
  });

  it('replays from a sequence number on any node, with targets and topic', async () => {
    const [a, b] = await nodes('a', 'b');
    const channelA = await a!.openRoom('lobby', new Recorder());
    for (let i = 1; i <= 10; i++) await channelA.publishReliable(message('x', `m${i}`, i % 2 ? { targets: ['p1', 'p2'] } : { topic: 'news' }));
    const channelB = await b!.openRoom('lobby', new Recorder());
    const replayed = await channelB.replay(4);
    expect(replayed?.map((m) => [m.seq, text(m)])).to.deep.equal([5, 6, 7, 8, 9, 10].map((s) => [s, `m${s}`]));
    expect(replayed?.[0]?.targets).to.deep.equal(['p1', 'p2']);
    expect(replayed?.[0]?.topic).to.equal(undefined);
    expect(replayed?.[1]).to.include({ topic: 'news', from: 'x', targets: undefined });
    expect(await channelB.replay(10)).to.deep.equal([]);
    expect(await channelB.lastSeq()).to.equal(10);
  });

  it('trims the log by bytes and by age, and says when a replay cannot be complete', async () => {
    const bus = await node('a', { log: { maxBytes: 100, maxAgeMs: 300, minRetainMs: 0 } });
    const channel = await bus.openRoom('lobby', new Recorder());
    for (let i = 0; i < 20; i++) await channel.publishReliable(message('x', 'y'.repeat(20)));
    expect(await channel.replay(0)).to.equal(undefined);
    expect((await channel.replay(15))?.map((m) => m.seq)).to.deep.equal([16, 17, 18, 19, 20]);
    expect(await channel.replay(14)).to.equal(undefined);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await channel.publishReliable(message('x', 'fresh'));
    expect(await channel.replay(19)).to.equal(undefined);
    expect((await channel.replay(20))?.map((m) => text(m))).to.deep.equal(['fresh']);
  });

  it('sends lossy messages to every node once, the sender’s own at once', async () => {
    const [a, b, c] = await nodes('a', 'b', 'c');
    const recorders = [new Recorder(), new Recorder(), new Recorder()];
    const channels = [await a!.openRoom('lobby', recorders[0]!), await b!.openRoom('lobby', recorders[1]!), await c!.openRoom('lobby', recorders[2]!)];
    channels[0]!.publishLossy(message('p', 'ping', { topic: 'cursor' }));
    expect(recorders[0]!.lossyMessages.map(text)).to.deep.equal(['ping']);
    await waitFor(() => recorders[1]!.lossyMessages.length === 1 && recorders[2]!.lossyMessages.length === 1, 'lossy on the other nodes');
    expect(recorders[2]!.lossyMessages[0]).to.include({ from: 'p', topic: 'cursor' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(recorders.map((r) => r.lossyMessages.length)).to.deep.equal([1, 1, 1]);
  });

  it('shares membership: joins, updates and leaves reach every node once', async () => {
    const [a, b] = await nodes('a', 'b');
    const [ra, rb] = [new Recorder(), new Recorder()];
    const channelA = await a!.openRoom('lobby', ra);
    await channelA.putPeer(peer('p1', 'a'));
    const channelB = await b!.openRoom('lobby', rb);
    expect([...channelB.peers().keys()]).to.deep.equal(['p1']);
    await channelB.putPeer(peer('p2', 'b', { name: 'Bo' }));
    expect([...channelB.peers().keys()].sort()).to.deep.equal(['p1', 'p2']);
    await waitFor(() => ra.joined.length === 2, 'node a to see p2');
    await channelA.putPeer(peer('p1', 'a', { lastSenderSeq: 7 }));
    await waitFor(() => rb.updated.length === 1, 'node b to see the update');
    expect(rb.updated[0]!.lastSenderSeq).to.equal(7);
    expect(await a!.rooms()).to.deep.equal(['lobby']);
    expect((await a!.roomPeers('lobby')).map((p) => p.id).sort()).to.deep.equal(['p1', 'p2']);
    expect(await channelB.removePeer('p1', 'kicked')).to.equal(true);
    expect(await channelA.removePeer('p1', 'left')).to.equal(false);
    await waitFor(() => ra.left.length === 1 && rb.left.length === 1, 'both nodes to see p1 leave');
    expect(ra.left[0]).to.deep.include({ reason: 'kicked' });
    await channelB.removePeer('p2', 'left');
    expect(await a!.rooms()).to.deep.equal([]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([ra.left.length, rb.left.length, rb.joined.length]).to.deep.equal([2, 2, 1]);
  });
});
