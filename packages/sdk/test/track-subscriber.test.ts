import assert from 'node:assert/strict';
import { RequestError } from '../src/errors.js';
import { DEFAULT_GRANTS, type TrackInfo } from '../src/protocol/index.js';
import type { RemoteTrack } from '../src/track/remote-track.js';
import { RemoteTracks } from '../src/track/remote-tracks.js';
import type { TrackEvents } from '../src/track/track-events.js';
import { TrackSubscriber } from '../src/track/track-subscriber.js';
import { FakeMediaServer } from './support/fake-media-server.js';

const INFO: TrackInfo = { id: 't1', peerId: 'alice', kind: 'video', name: 'camera', source: 'camera', muted: false, layers: 3 };

const until = async (check: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(check(), `timed out waiting for ${what}`);
};

/** A registry with a real subscriber, over sessions of a scripted server. */
function plane(autoSubscribe = true) {
  const events: Array<{ event: keyof TrackEvents; track: RemoteTrack }> = [];
  const emit = (event: keyof TrackEvents, payload: unknown): void => void events.push({ event, track: (payload as { track: RemoteTrack }).track });
  const subscriber = new TrackSubscriber({
    grants: () => DEFAULT_GRANTS,
    subscribed: (track) => emit('trackSubscribed', { track }),
    subscriptionFailed: (track, error) => emit('trackSubscriptionFailed', { track, error }),
  });
  const registry = new RemoteTracks({ host: subscriber, emit, selfId: () => 'me', inRoom: () => true, autoSubscribe, graceMs: 1000 });
  const count = (event: keyof TrackEvents) => events.filter((e) => e.event === event).length;
  return { subscriber, registry, events, count };
}

describe('TrackSubscriber over fake WebRTC', () => {
  let server: FakeMediaServer;
  beforeEach(() => (server = new FakeMediaServer()));
  afterEach(() => server.close());

  it('consumes once connected, then resumes the paused consumer, with the preferred layers set first', async () => {
    const p = plane(false);
    p.registry.published(INFO);
    const track = p.registry.tracks.get('t1')!;
    await track.setPreferredLayers(0);
    const subscribing = track.subscribe();
    p.subscriber.ready(await server.session(), p.registry.tracks.values());
    await subscribing;
    assert.ok(track.mediaStreamTrack);
    assert.equal(p.count('trackSubscribed'), 1);
    const consumerId = server.of('resumeConsumer')[0]?.consumerId;
    assert.deepEqual(
      server.requests.filter((r) => ['consume', 'setPreferredLayers', 'resumeConsumer'].includes(r.method)),
      [
        { method: 'consume', data: { trackId: 't1' } },
        { method: 'setPreferredLayers', data: { consumerId, spatialLayer: 0 } },
        { method: 'resumeConsumer', data: { consumerId } },
      ],
    );
  });

  it('switches to the new publication when the publisher republishes', async () => {
    const p = plane();
    p.subscriber.ready(await server.session(), []);
    p.registry.published(INFO);
    const track = p.registry.tracks.get('t1')!;
    await until(() => p.count('trackSubscribed') === 1, 'the first subscription');
    const first = track.mediaStreamTrack;
    p.registry.unpublished('t1');
    p.registry.published({ ...INFO, id: 't2' });
    await until(() => p.count('trackSubscribed') === 2, 'the second subscription');
    assert.notEqual(track.mediaStreamTrack, first);
    assert.deepEqual(server.of('consume'), [{ trackId: 't1' }, { trackId: 't2' }]);
    assert.deepEqual(server.of('closeConsumer'), [], 'the server closed the old consumer itself');
  });

  it('subscribes again on a new connection', async () => {
    const p = plane();
    const first = await server.session();
    p.subscriber.ready(first, []);
    p.registry.published(INFO);
    await until(() => p.count('trackSubscribed') === 1, 'the first subscription');
    first.close();
    p.subscriber.lost(p.registry.tracks.values());
    assert.equal(p.registry.tracks.get('t1')!.mediaStreamTrack, undefined);
    p.subscriber.ready(await server.session(), p.registry.tracks.values());
    await until(() => p.count('trackSubscribed') === 2, 'the subscription on the new connection');
    assert.equal(server.of('consume').length, 2);
  });

  it('reports a refused subscription', async () => {
    const p = plane(false);
    p.subscriber.ready(await server.session(), []);
    p.registry.published(INFO);
    const track = p.registry.tracks.get('t1')!;
    server.refuse.consume = { code: 'UNSUPPORTED', message: 'no common codec' };
    await assert.rejects(track.subscribe(), (e: unknown) => e instanceof RequestError && e.code === 'UNSUPPORTED');
    assert.equal(track.subscribed, false);
    assert.deepEqual(p.events.map((e) => e.event), ['trackPublished', 'trackSubscriptionFailed']);
  });

  it('closes the consumer on the server when unsubscribed', async () => {
    const p = plane();
    p.subscriber.ready(await server.session(), []);
    p.registry.published(INFO);
    await until(() => p.count('trackSubscribed') === 1, 'the subscription');
    const consumerId = server.of('resumeConsumer')[0]?.consumerId;
    await p.registry.tracks.get('t1')!.unsubscribe();
    assert.deepEqual(server.of('closeConsumer'), [{ consumerId }]);
  });
});
