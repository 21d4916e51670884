import assert from 'node:assert/strict';
import type { TrackInfo } from '@switchboard/sdk/protocol';
import type { BusPeer } from '../../src/cluster/room-bus.js';
import { RemoteTracks } from '../../src/rooms/remote-tracks.js';

function track(id: string, muted = false): TrackInfo {
  return { id, peerId: 'p1', kind: 'video', name: id, source: 'camera', muted, layers: 1 };
}

function record(tracks: TrackInfo[]): BusPeer {
  return { id: 'p1', identity: 'alice', grants: {} as BusPeer['grants'], node: 'b', joinedAt: 1, tracks, resumeKeyHash: 'h', lastSenderSeq: 0 };
}

// The record diff that turns another node's membership records into track notifications.
describe('RemoteTracks: track notifications from membership record changes', () => {
  let told: Array<[string, unknown]>;
  let tracks: RemoteTracks;
  beforeEach(() => {
    told = [];
    tracks = new RemoteTracks((method, data) => told.push([method, data]));
  });

  it('announces new tracks, mute changes and removals, and nothing for an unchanged record', () => {
    assert.equal(tracks.update(record([track('t1')])), true);
    assert.deepEqual(told, [['trackPublished', { track: track('t1') }]]);
    told = [];
    assert.equal(tracks.update(record([track('t1')])), false, 'a change of something else is no track change');
    assert.deepEqual(told, []);
    tracks.update(record([track('t1', true), track('t2')]));
    tracks.update(record([track('t1', false), track('t2')]));
    tracks.update(record([track('t2')]));
    assert.deepEqual(told, [
      ['trackMuted', { trackId: 't1', peerId: 'p1' }],
      ['trackPublished', { track: track('t2') }],
      ['trackUnmuted', { trackId: 't1', peerId: 'p1' }],
      ['trackUnpublished', { trackId: 't1', peerId: 'p1' }],
    ]);
    assert.deepEqual(tracks.all(), [track('t2')]);
  });

  it('unpublishes every track of a peer that leaves, once', () => {
    tracks.update(record([track('t1'), track('t2')]));
    told = [];
    tracks.remove('p1');
    tracks.remove('p1');
    assert.deepEqual(told, [
      ['trackUnpublished', { trackId: 't1', peerId: 'p1' }],
      ['trackUnpublished', { trackId: 't2', peerId: 'p1' }],
    ]);
    assert.deepEqual(tracks.all(), []);
  });
});
