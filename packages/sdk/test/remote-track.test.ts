import assert from 'node:assert/strict';
import type { Consumer } from 'mediasoup-client/types';
import type { TrackInfo } from '../src/protocol/index.js';
import type { MediaSession } from '../src/transport/rtc-session.js';
import { RemoteTrack, type PreferredLayers, type Reception, type RemoteTrackHost } from '../src/track/remote-track.js';
import { TrackError } from '../src/track/track-errors.js';
import { FakeMediaStream, FakeTrack, fakeVideoElement, installFakeMediaStream } from './support/fake-media.js';

const INFO: TrackInfo = { id: 't1', peerId: 'alice', kind: 'video', name: 'camera', source: 'camera', muted: false, layers: 3 };

function reception(trackId: string): Reception {
  const consumer = { id: `c-${trackId}`, track: new FakeTrack('video'), closed: false, close: () => void (consumer.closed = true) };
  return { consumer: consumer as unknown as Consumer, session: {} as MediaSession, trackId };
}

function remoteTrack(info: TrackInfo = INFO, subscribe = true) {
  const calls = { ensure: 0, released: [] as Reception[], layers: [] as PreferredLayers[] };
  const host: RemoteTrackHost = {
    canSubscribe: () => subscribe,
    ensure: () => void calls.ensure++,
    release: async (r) => void calls.released.push(r),
    applyLayers: async (_r, layers) => void calls.layers.push(layers),
  };
  return { track: new RemoteTrack(info, host), calls };
}

describe('RemoteTrack', () => {
  let restore: () => void;
  before(() => (restore = installFakeMediaStream()));
  after(() => restore());

  it('plays in attached elements once received, and switches them to a new consumer', () => {
    const { track } = remoteTrack();
    const video = track.attach(fakeVideoElement());
    assert.deepEqual([video.autoplay, video.muted, video.playsInline, video.srcObject], [true, true, true, null], 'nothing to play yet');
    const first = reception('t1');
    track.received(first);
    assert.ok(video.srcObject instanceof FakeMediaStream);
    assert.deepEqual((video.srcObject as unknown as FakeMediaStream).getTracks(), [first.consumer.track]);
    const second = reception('t2');
    assert.equal(track.received(second), first, 'the replaced consumer is handed back to release');
    assert.deepEqual((video.srcObject as unknown as FakeMediaStream).getTracks(), [second.consumer.track]);
    const late = track.attach(fakeVideoElement());
    assert.deepEqual((late.srcObject as unknown as FakeMediaStream).getTracks(), [second.consumer.track], 'attached after: played at once');
  });

  it('does not mute elements playing audio', () => {
    const { track } = remoteTrack({ ...INFO, kind: 'audio', name: 'microphone' });
    assert.equal(track.attach(fakeVideoElement()).muted, false);
  });

  it('detaches one element or all, emptying only what it set', () => {
    const { track } = remoteTrack();
    const [a, b] = [track.attach(fakeVideoElement()), track.attach(fakeVideoElement())];
    track.received(reception('t1'));
    const foreign = new FakeMediaStream([]) as unknown as MediaStream;
    b.srcObject = foreign;
    assert.deepEqual(track.detach(a), [a]);
    assert.equal(a.srcObject, null);
    assert.deepEqual(track.detach(a), [], 'not attached any more');
    assert.deepEqual(track.detach(), [b]);
    assert.equal(b.srcObject, foreign, 'a stream the application set itself is left alone');
  });

  it('unsubscribes: releases the consumer, empties elements but keeps them for a later subscribe', async () => {
    const { track, calls } = remoteTrack();
    const video = track.attach(fakeVideoElement());
    await Promise.all([track.subscribe(), Promise.resolve().then(() => track.received(reception('t1')))]);
    assert.equal(track.subscribed, true);
    await track.unsubscribe();
    assert.deepEqual([track.subscribed, track.mediaStreamTrack, video.srcObject], [false, undefined, null]);
    assert.equal(calls.released.length, 1);
    const again = track.subscribe();
    track.received(reception('t1'));
    await again;
    assert.ok(video.srcObject, 'the element plays again');
  });

  it('rejects subscribe without the grant, and a pending subscribe when unsubscribed', async () => {
    await assert.rejects(remoteTrack(INFO, false).track.subscribe(), (e: unknown) => e instanceof TrackError && e.code === 'PERMISSION_DENIED');
    const { track } = remoteTrack();
    const pending = track.subscribe();
    await track.unsubscribe();
    await assert.rejects(pending, (e: unknown) => e instanceof TrackError && e.code === 'NOT_FOUND');
  });

  it('remembers preferred layers and applies them to the current consumer; checks them', async () => {
    const { track, calls } = remoteTrack();
    await track.setPreferredLayers(0);
    assert.deepEqual(calls.layers, [], 'not received yet: kept for later');
    assert.deepEqual(track.preferredLayers(), { spatialLayer: 0 });
    track.received(reception('t1'));
    await track.setPreferredLayers(2, 1);
    assert.deepEqual(calls.layers, [{ spatialLayer: 2, temporalLayer: 1 }]);
    for (const bad of [-1, 1.5, Number.NaN]) {
      await assert.rejects(track.setPreferredLayers(bad), (e: unknown) => e instanceof TrackError && e.code === 'MALFORMED');
    }
  });

  it('reports empty stats while not received', async () => {
    const report = await remoteTrack().track.getStats();
    assert.equal([...(report as unknown as Map<string, unknown>).keys()].length, 0);
  });
});
