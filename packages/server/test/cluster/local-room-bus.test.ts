import { expect } from 'chai';
import { LocalRoomBus } from '../../src/cluster/local-room-bus.js';
import { message, peer, Recorder, text } from './bus-support.js';

describe('local room bus', () => {
  const limits = { maxBytes: 1 << 20, maxAgeMs: 60_000 };

  it('numbers reliable messages 1, 2, 3… and delivers them at once, in order', async () => {
    const bus = new LocalRoomBus('solo', limits);
    const recorder = new Recorder();
    const channel = await bus.openRoom('lobby', recorder);
    const seqs = await Promise.all([1, 2, 3].map((i) => channel.publishReliable(message('p', `m${i}`))));
    expect(seqs).to.deep.equal([1, 2, 3]);
    expect(recorder.reliableMessages.map((m) => [m.seq, text(m)])).to.deep.equal([[1, 'm1'], [2, 'm2'], [3, 'm3']]);
    expect(await channel.lastSeq()).to.equal(3);
  });

  it('replays from a sequence number and says when the log was trimmed past it', async () => {
    const bus = new LocalRoomBus('solo', { maxBytes: 50, maxAgeMs: 60_000 });
    const channel = await bus.openRoom('lobby', new Recorder());
    for (let i = 0; i < 10; i++) await channel.publishReliable(message('p', 'x'.repeat(10), { targets: ['q'], topic: 't' }));
    expect(await channel.replay(0)).to.equal(undefined);
    const replayed = await channel.replay(7);
    expect(replayed?.map((m) => m.seq)).to.deep.equal([8, 9, 10]);
    expect(replayed?.[0]).to.deep.include({ from: 'p', targets: ['q'], topic: 't' });
    expect(await channel.replay(10)).to.deep.equal([]);
  });

  it('delivers lossy messages at once and keeps membership with one event per change', async () => {
    const bus = new LocalRoomBus('solo', limits);
    const recorder = new Recorder();
    const channel = await bus.openRoom('lobby', recorder);
    channel.publishLossy(message('p', 'cursor'));
    expect(recorder.lossyMessages.map(text)).to.deep.equal(['cursor']);
    await channel.putPeer(peer('p1', 'solo'));
    await channel.putPeer(peer('p1', 'solo', { lastSenderSeq: 3 }));
    expect(await bus.rooms()).to.deep.equal(['lobby']);
    expect(await channel.removePeer('p1', 'left')).to.equal(true);
    expect(await channel.removePeer('p1', 'left')).to.equal(false);
    expect([recorder.joined.length, recorder.updated.length, recorder.left.length]).to.deep.equal([1, 1, 1]);
    expect(bus.health()).to.deep.equal({ mode: 'local', reachable: true, nodes: ['solo'] });
    expect(await bus.rooms()).to.deep.equal([]);
  });
});
