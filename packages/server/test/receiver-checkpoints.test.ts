import { expect } from 'chai';
import { DEFAULT_GRANTS } from '@switchboard/sdk/protocol';
import { SeqWindow } from '../../sdk/src/data-channel/seq-window.js';
import { checkpointBounds, DUPLICATE_WINDOW, ReceiverCheckpoints, resumableAfterOverflow, type CheckpointBounds } from '../src/data/receiver-checkpoints.js';
import { Peer } from '../src/rooms/peer.js';
import { waitFor } from './support/test-server.js';

/** A reliable DataConsumer whose worker answers when the test says so. */
class FakeConsumer {
  readonly asked: { answer(): void; fail(): void }[] = [];

  getBufferedAmount(): Promise<number> {
    return new Promise((resolve, reject) => this.asked.push({ answer: () => resolve(0), fail: () => reject(new Error('closed')) }));
  }
}

function peer(liveSince: number): Peer {
  const p = new Peer({ identity: 'receiver', grants: { ...DEFAULT_GRANTS }, subchannel: 1, rate: { messagesPerSecond: 1, burst: 1 } });
  p.liveSince = liveSince;
  return p;
}

/** Checkpoints over a room whose deliveries the test numbers; `flushes` counts batcher flushes. */
function room(bounds: Partial<CheckpointBounds> = {}) {
  const state = { seq: 0, pendingFlushed: true, flushes: 0 };
  const checkpoints = new ReceiverCheckpoints(
    {
      flush: () => {
        state.flushes++;
        state.pendingFlushed = true;
      },
      handedSeq: () => state.seq,
    },
    { everyMs: 60_000, deliveriesPerReceiver: 1 << 30, everyMessages: 3, everyBytes: 1 << 30, ...bounds },
  );
  const deliver = (count: number, receivers = 1) => {
    for (let i = 0; i < count; i++) {
      state.seq++;
      state.pendingFlushed = false;
      checkpoints.handed(100, receivers);
    }
  };
  return { checkpoints, state, deliver };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A receiver live since `liveSince`, watched through a new fake consumer. */
function watched(checkpoints: ReceiverCheckpoints, liveSince = 0): { p: Peer; consumer: FakeConsumer } {
  const p = peer(liveSince);
  const consumer = new FakeConsumer();
  checkpoints.watch(p, consumer);
  return { p, consumer };
}

describe('ReceiverCheckpoints', () => {
  let rooms: ReceiverCheckpoints[] = [];
  afterEach(() => {
    for (const r of rooms) r.close();
    rooms = [];
  });
  function tracked(bounds?: Partial<CheckpointBounds>) {
    const r = room(bounds);
    rooms.push(r.checkpoints);
    return r;
  }

  it('moves liveSince to what was handed to the worker before the request, once it is answered', async () => {
    const { checkpoints, state, deliver } = tracked();
    const p = peer(10);
    const consumer = new FakeConsumer();
    state.seq = 10;
    checkpoints.watch(p, consumer);
    deliver(2);
    expect(consumer.asked).to.have.length(0);
    deliver(1);
    expect(consumer.asked, 'a round after everyMessages deliveries').to.have.length(1);
    expect(state.flushes).to.equal(1);
    expect(state.pendingFlushed, 'the batcher is flushed before the number is read').to.equal(true);
    deliver(2);
    consumer.asked[0]!.answer();
    await turn();
    await turn();
    expect(p.liveSince, 'the number read at the request, not a later one').to.equal(13);
  });

  it('does not move when an overflow is reported before the answer, even one emitted a turn later', async () => {
    const { checkpoints, state, deliver } = tracked();
    const { p, consumer } = watched(checkpoints, state.seq);
    deliver(3);
    // mediasoup's Channel: the notification read before the response is emitted in a setImmediate,
    // while the response resolves at once.
    setImmediate(() => checkpoints.overflowed(p, consumer));
    consumer.asked[0]!.answer();
    await turn();
    await turn();
    expect(p.liveSince).to.equal(0);
    deliver(3);
    expect(consumer.asked, 'no checkpoint after an overflow on this connection').to.have.length(1);
  });

  it('keeps at most one request in flight per receiver', async () => {
    const { checkpoints, deliver } = tracked();
    const { p, consumer } = watched(checkpoints);
    deliver(9);
    expect(consumer.asked).to.have.length(1);
    consumer.asked[0]!.answer();
    await turn();
    await turn();
    expect(p.liveSince).to.equal(3);
    expect(consumer.asked, 'rounds passed it by: the answer starts the next check at once').to.have.length(2);
    consumer.asked[1]!.answer();
    await turn();
    await turn();
    expect(p.liveSince).to.equal(9);
    expect(consumer.asked, 'nothing passed it by since').to.have.length(2);
    deliver(3);
    expect(consumer.asked).to.have.length(3);
  });

  it('ignores an answer for a connection that went away or was replaced', async () => {
    const { checkpoints, deliver } = tracked();
    const { p, consumer: old } = watched(checkpoints);
    deliver(3);
    checkpoints.unwatch(p);
    const replacement = new FakeConsumer();
    checkpoints.watch(p, replacement);
    old.asked[0]!.answer();
    await turn();
    await turn();
    expect(p.liveSince).to.equal(0);
    // An overflow on the old consumer says nothing about the new one.
    checkpoints.overflowed(p, old);
    deliver(3);
    replacement.asked[0]!.fail();
    await turn();
    deliver(3);
    expect(replacement.asked, 'a failed request frees the slot').to.have.length(2);
    replacement.asked[1]!.answer();
    await turn();
    await turn();
    expect(p.liveSince).to.equal(9);
  });

  it('starts a round after deliveriesPerReceiver deliveries per live receiver', () => {
    const { checkpoints, deliver } = tracked({ everyMessages: 1000, deliveriesPerReceiver: 4 });
    const a = new FakeConsumer();
    const b = new FakeConsumer();
    checkpoints.watch(peer(0), a);
    checkpoints.watch(peer(0), b);
    deliver(7);
    expect(a.asked.length + b.asked.length).to.equal(0);
    deliver(1);
    expect([a.asked.length, b.asked.length], 'one request each').to.deep.equal([1, 1]);
    deliver(2, 4);
    expect(a.asked.length + b.asked.length, 'broadcasts count once per receiver').to.equal(2);
    deliver(2, 4);
    expect(a.asked.length + b.asked.length, 'still in flight: none more').to.equal(2);
  });

  it('starts a round after everyBytes, or everyMs after the first delivery', async () => {
    const byBytes = tracked({ everyBytes: 250 });
    const a = new FakeConsumer();
    byBytes.checkpoints.watch(peer(0), a);
    byBytes.deliver(2);
    expect(a.asked).to.have.length(0);
    byBytes.deliver(1);
    expect(a.asked).to.have.length(1);

    const byTime = tracked({ everyMs: 20, everyMessages: 1000 });
    const { consumer: b } = watched(byTime.checkpoints);
    byTime.deliver(1);
    expect(b.asked).to.have.length(0);
    await waitFor(() => b.asked.length === 1, 'the timed round', 5000);
    expect(byTime.state.pendingFlushed).to.equal(true);
  });

  it('does nothing while no receiver is live', () => {
    const { state, deliver } = tracked();
    deliver(10);
    expect(state.flushes).to.equal(0);
  });

  it('resumes an overflow only while the dropped message stays within half the SDK duplicate window', () => {
    // A resume replays from the checkpoint; a replayed number more than the window below the
    // newest the SDK got counts as seen there, so the dropped one would be lost: the session ends.
    expect(resumableAfterOverflow(100, 100)).to.equal(true);
    expect(resumableAfterOverflow(100 + DUPLICATE_WINDOW / 2 - 1, 100)).to.equal(true);
    expect(resumableAfterOverflow(100 + DUPLICATE_WINDOW / 2, 100)).to.equal(false);
    expect(resumableAfterOverflow(100 + DUPLICATE_WINDOW, 100)).to.equal(false);
  });

  it("sizes the bounds on the SDK's duplicate window and the replay log", () => {
    expect(DUPLICATE_WINDOW).to.equal(SeqWindow.size);
    const bounds = checkpointBounds(8 << 20);
    expect(bounds.everyMessages).to.be.at.most(DUPLICATE_WINDOW / 4);
    expect(bounds.everyBytes).to.be.at.most((8 << 20) / 2);
  });
});
