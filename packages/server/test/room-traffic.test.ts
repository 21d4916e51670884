import assert from 'node:assert/strict';
import { RoomTrafficChanges } from '../src/console/room-changes.js';
import { dataMetrics } from '../src/data/data-metrics.js';
import { RoomTraffic, type TrafficCounts } from '../src/data/room-traffic.js';
import { Metrics } from '../src/metrics/metrics.js';

const room = (name: string, counts: TrafficCounts) => ({ name, traffic: { counts: () => counts } });

describe('per-room data traffic', () => {
  it('counts each room\u2019s share of the node\u2019s data series, adding up to them', () => {
    const metrics = new Metrics();
    const node = dataMetrics(metrics);
    const lobby = new RoomTraffic();
    const stage = new RoomTraffic();
    const inLobby = lobby.metrics(node);
    const inStage = stage.metrics(node);
    inLobby.channels.reliable.messagesIn.inc();
    inLobby.channels.lossy.messagesIn.inc();
    inLobby.channels.reliable.messagesOut.inc(3);
    inLobby.channels.reliable.bytesIn.inc(100);
    inLobby.dropped.inc({ reason: 'rate_limited' });
    inLobby.dropped.bind({ reason: 'rate_limited' }).inc(2);
    inLobby.duplicates.inc();
    inStage.channels.reliable.messagesIn.inc(4);
    inStage.channels.lossy.messagesOut.inc(5);
    inStage.dropped.inc({ reason: 'malformed' });

    assert.deepEqual(lobby.counts(), { messagesIn: 2, deliveries: 3, rejected: { rate_limited: 3, duplicate: 1 } });
    assert.deepEqual(stage.counts(), { messagesIn: 4, deliveries: 5, rejected: { malformed: 1 } });
    const sum = (name: string, labels: Record<string, string>[]) => labels.reduce((total, l) => total + metrics.value(name, l), 0);
    assert.equal(sum('switchboard_messages_in_total', [{ channel: 'reliable' }, { channel: 'lossy' }]), 6);
    assert.equal(sum('switchboard_messages_out_total', [{ channel: 'reliable' }, { channel: 'lossy' }]), 8);
    assert.equal(sum('switchboard_messages_dropped_total', [{ reason: 'rate_limited' }, { reason: 'duplicate' }, { reason: 'malformed' }]), 5);
    assert.equal(metrics.value('switchboard_bytes_in_total', { channel: 'reliable' }), 100);
  });

  it('samples only the rooms whose counts changed, forgets closed rooms, and keeps a starting point for late viewers', () => {
    const changes = new RoomTrafficChanges();
    const quiet = { messagesIn: 0, deliveries: 0, rejected: {} };
    const one = { messagesIn: 1, deliveries: 2, rejected: {} };
    const two = { messagesIn: 3, deliveries: 2, rejected: { rate_limited: 1 } };
    assert.equal(changes.next([room('lobby', quiet)]), undefined);
    const first = changes.next([room('lobby', one), room('stage', quiet)]);
    assert.deepEqual(first, { lobby: one });
    assert.equal(changes.next([room('lobby', one)]), undefined);
    assert.deepEqual(changes.next([room('lobby', two)]), { lobby: two });
    // The sample with lobby's first counts leaves the kept window: the next viewer starts from them.
    changes.dropped(first);
    assert.deepEqual(changes.first(undefined), { lobby: one });
    assert.deepEqual(changes.first({ lobby: two }), { lobby: two });
    // Lobby closes, then opens again with counts from zero: they are sent again.
    assert.equal(changes.next([]), undefined);
    assert.equal(changes.first(undefined), undefined);
    assert.deepEqual(changes.next([room('lobby', one)]), { lobby: one });
  });
});
