import assert from 'node:assert/strict';
import type { BusMessage, RoomChannel } from '../../src/cluster/room-bus.js';
import { keptUpTo } from '../../src/history/history-policy.js';
import { Recorder, redisBusSuite, text } from '../cluster/bus-support.js';

function typed(type: string, body: string, extra: { targets?: string[]; topic?: string } = {}): BusMessage {
  return { from: 'p1', type, targets: extra.targets, topic: extra.topic, body: new TextEncoder().encode(body) };
}

async function kept(channel: RoomChannel, upToSeq = Number.MAX_SAFE_INTEGER): Promise<string[]> {
  return keptUpTo(await channel.history(), upToSeq).map(text);
}

describe('Room history on the Redis bus', function () {
  const { nodes } = redisBusSuite();

  it('keeps what the policy matches, in the step that numbers it, readable from any node', async () => {
    const [a, b] = await nodes('a', 'b');
    const onA = await a!.openRoom('lobby', new Recorder());
    const onB = await b!.openRoom('lobby', new Recorder());
    await onA.publishReliable(typed('comment', 'before any policy'));
    assert.deepEqual(await onA.setHistoryPolicy({ limit: 3, maxBytes: 1000, types: ['comment'] }, 'ifUnset'), { limit: 3, maxBytes: 1000, types: ['comment'] });
    assert.deepEqual(await onB.setHistoryPolicy({ limit: 50, maxBytes: 1000 }, 'ifUnset'), { limit: 3, maxBytes: 1000, types: ['comment'] }, 'the first policy stays');
    await onA.publishReliable(typed('comment', 'c1'));
    await onB.publishReliable(typed('like', 'l1'));
    const seqC2 = await onB.publishReliable(typed('comment', 'c2', { topic: 'chat' }));
    await onA.publishReliable(typed('comment', 'secret', { targets: ['p2'] }));
    await onA.publishReliable(typed('comment', 'c3'));
    await onA.publishReliable(typed('comment', 'c4'));
    assert.deepEqual(await kept(onB), ['c2', 'c3', 'c4'], 'the last 3 broadcast comments; never a targeted one');
    assert.deepEqual(await kept(onB, seqC2), ['c1', 'c2'], 'only what is numbered up to the given seq');
    const snapshot = await onA.history();
    assert.equal(snapshot.kept[0]?.type, 'comment');
    assert.equal(snapshot.lastSeq, seqC2 + 3, 'with the room\'s newest number at that instant');
    assert.deepEqual(await onB.historyPolicy(), { limit: 3, maxBytes: 1000, types: ['comment'] });
  });

  it('holds the history to its byte budget and applies a replaced policy at once', async () => {
    const [a] = await nodes('a');
    const channel = await a!.openRoom('lobby', new Recorder());
    await channel.setHistoryPolicy({ limit: 10, maxBytes: 10 }, 'ifUnset');
    for (const body of ['aaaa', 'bbbb', 'cccc', 'dddd']) await channel.publishReliable(typed('comment', body));
    assert.deepEqual(await kept(channel), ['cccc', 'dddd'], '8 of 10 bytes: a third would not fit');
    await channel.setHistoryPolicy({ limit: 1, maxBytes: 10 }, 'replace');
    assert.deepEqual(await kept(channel), ['dddd']);
    await channel.setHistoryPolicy(null, 'replace');
    await channel.publishReliable(typed('comment', 'eeee'));
    assert.deepEqual(await kept(channel), [], 'null turns history off and drops what was kept');
    assert.equal(await channel.historyPolicy(), null);
  });
});
