import assert from 'node:assert/strict';
import type { Consumer } from 'mediasoup-client/types';
import { DisconnectedError } from '../src/errors.js';
import type { TrackInfo } from '../src/protocol/index.js';
import type { MediaSession } from '../src/transport/rtc-session.js';
import type { Reception, RemoteTrack, RemoteTrackHost } from '../src/track/remote-track.js';
import { RemoteTracks } from '../src/track/remote-tracks.js';
import { TrackError } from '../src/track/track-errors.js';
import type { TrackEvents } from '../src/track/track-events.js';
import { FakeTrack, fakeVideoElement, installFakeMediaStream } from './support/fake-media.js';

const GRACE_MS = 60;

function info(overrides: Partial<TrackInfo> = {}): TrackInfo {
  return { id: 't1', peerId: 'alice', kind: 'video', name: 'camera', source: 'camera', muted: false, layers: 3, ...overrides };
}

/** A consumer as far as RemoteTrack looks at one. */
function reception(trackId: string, consumerId = `c-${trackId}`): Reception {
  const consumer = { id: consumerId, track: new FakeTrack('video'), closed: false, close: () => void (consumer.closed = true) };
  return { consumer: consumer as unknown as Consumer, session: {} as MediaSession, trackId };
}

/**
 * The registry with a subscriber that only records: `ensure` notes the track, and the test
 * plays the consumer's arrival with `track.received(...)`.
 */
function harness(options: { autoSubscribe?: boolean; subscribe?: boolean; peers?: string[] } = {}) {
  const events: Array<{ event: keyof TrackEvents; track?: RemoteTrack }> = [];
  const ensured: RemoteTrack[] = [];
  const released: Reception[] = [];
  const peers = new Set(options.peers ?? ['alice']);
  const host: RemoteTrackHost = {
    canSubscribe: () => options.subscribe ?? true,
    ensure: (track) => void ensured.push(track),
    release: async (r) => void released.push(r),
    applyLayers: async () => undefined,
  };
  const registry = new RemoteTracks({
    host,
    emit: (event, payload) => events.push({ event, track: (payload as { track?: RemoteTrack }).track }),
    selfId: () => 'me',
    inRoom: (peerId) => peers.has(peerId),
    autoSubscribe: options.autoSubscribe ?? true,
    graceMs: GRACE_MS,
  });
  const names = () => events.map((e) => e.event);
  return { registry, events, names, ensured, released, peers };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RemoteTracks: identity across republication and the unpublish grace period', () => {
  let restore: () => void;
  before(() => (restore = installFakeMediaStream()));
  after(() => restore());

  it('adds a published track and subscribes to it when auto-subscribing with the grant', () => {
    const h = harness();
    h.registry.published(info());
    const track = h.registry.tracks.get('t1')!;
    assert.deepEqual(h.names(), ['trackPublished']);
    assert.equal(track.subscribed, true);
    assert.deepEqual(h.ensured, [track]);
  });

  it('does not subscribe without the subscribe grant or with autoSubscribe off, and ignores our own tracks', () => {
    for (const options of [{ subscribe: false }, { autoSubscribe: false }]) {
      const h = harness(options);
      h.registry.published(info());
      assert.equal(h.registry.tracks.get('t1')!.subscribed, false);
      assert.deepEqual(h.ensured, []);
    }
    const h = harness();
    h.registry.published(info({ peerId: 'me' }));
    assert.equal(h.registry.tracks.size, 0);
    assert.deepEqual(h.events, []);
  });

  it('keeps the same RemoteTrack when its publisher republishes the name within the grace period', async () => {
    const h = harness();
    h.registry.published(info());
    const track = h.registry.tracks.get('t1')!;
    const element = track.attach(fakeVideoElement());
    track.received(reception('t1'));
    const firstStream = element.srcObject;
    assert.ok(firstStream);

    h.registry.unpublished('t1');
    assert.equal(track.mediaStreamTrack, undefined, 'the dead publication is no longer received');
    assert.equal(element.srcObject, firstStream, 'the element keeps its last picture meanwhile');
    await sleep(GRACE_MS / 2);
    h.registry.published(info({ id: 't2', muted: true }));
    assert.equal(h.registry.tracks.get('t2'), track, 'the same object, under the new ID');
    assert.equal(h.registry.tracks.has('t1'), false);
    assert.equal(track.id, 't2');
    assert.deepEqual(h.names(), ['trackPublished', 'trackMuted'], 'no unpublish/publish, but the mute change');
    assert.deepEqual(h.ensured, [track, track], 'the new publication is subscribed to');

    track.received(reception('t2'));
    assert.notEqual(element.srcObject, firstStream, 'the element switched to the new media track');
    await sleep(GRACE_MS * 2);
    assert.deepEqual(h.names(), ['trackPublished', 'trackMuted'], 'the grace timer was cancelled');
  });

  it('emits trackUnpublished once the grace period passes, and fails a pending subscribe', async () => {
    const h = harness({ autoSubscribe: false });
    h.registry.published(info());
    const track = h.registry.tracks.get('t1')!;
    const element = track.attach(fakeVideoElement());
    const subscribing = track.subscribe();
    h.registry.unpublished('t1');
    h.registry.unpublished('t1');
    await sleep(GRACE_MS / 2);
    assert.deepEqual(h.names(), ['trackPublished']);
    await assert.rejects(subscribing, (error: unknown) => error instanceof TrackError && error.code === 'NOT_FOUND');
    assert.deepEqual(h.names(), ['trackPublished', 'trackUnpublished']);
    assert.equal(h.events[1]!.track, track);
    assert.equal(h.registry.tracks.size, 0);
    assert.deepEqual(track.detach(), [], 'elements are detached');
    assert.equal(element.srcObject, null);
    await assert.rejects(track.subscribe(), (error: unknown) => error instanceof TrackError && error.code === 'NOT_FOUND');
  });

  it('emits trackUnpublished at once when the publisher is not in the room, or leaves during the grace period', () => {
    const gone = harness({ peers: [] });
    gone.registry.published(info());
    gone.registry.unpublished('t1');
    assert.deepEqual(gone.names(), ['trackPublished', 'trackUnpublished']);

    const leaving = harness();
    leaving.registry.published(info());
    leaving.registry.published(info({ id: 't9', name: 'screen', source: 'screen' }));
    leaving.registry.unpublished('t1');
    leaving.peers.delete('alice');
    leaving.registry.peerLeft('alice');
    assert.deepEqual(leaving.names(), ['trackPublished', 'trackPublished', 'trackUnpublished', 'trackUnpublished']);
    assert.equal(leaving.registry.tracks.size, 0);
  });

  it('reconciles with the track list of a resumed join', async () => {
    const h = harness({ peers: ['alice', 'bob'] });
    h.registry.published(info({ id: 'a-cam' }));
    h.registry.published(info({ id: 'a-mic', kind: 'audio', name: 'microphone', source: 'microphone' }));
    h.registry.published(info({ id: 'b-cam', peerId: 'bob' }));
    h.registry.published(info({ id: 'c-cam', peerId: 'carol' }));
    const [aCam, aMic, bCam] = [...h.registry.tracks.values()];
    h.events.length = 0;

    // While we were away: alice republished her camera, muted her microphone; bob's camera
    // vanished (bob is still here); carol left; dave published.
    h.registry.sync([
      info({ id: 'a-cam-2' }),
      info({ id: 'a-mic', kind: 'audio', name: 'microphone', source: 'microphone', muted: true }),
      info({ id: 'd-cam', peerId: 'dave' }),
    ]);
    assert.equal(h.registry.tracks.get('a-cam-2'), aCam);
    assert.equal(h.registry.tracks.get('a-mic'), aMic);
    assert.equal(aMic!.muted, true);
    assert.equal(h.registry.tracks.get('b-cam'), bCam, 'kept for its grace period');
    assert.deepEqual(
      h.events.map((e) => [e.event, e.track?.id]),
      [
        ['trackMuted', 'a-mic'],
        ['trackUnpublished', 'c-cam'],
        ['trackPublished', 'd-cam'],
      ],
    );
    await sleep(GRACE_MS * 2);
    assert.deepEqual(h.events.at(-1)?.event, 'trackUnpublished');
    assert.equal(h.events.at(-1)?.track, bCam);
  });

  it('emits mute changes only, and closes a consumer the server closed', () => {
    const h = harness();
    h.registry.published(info());
    const track = h.registry.tracks.get('t1')!;
    const received = reception('t1');
    track.received(received);
    h.registry.mutedChanged('t1', true);
    h.registry.mutedChanged('t1', true);
    h.registry.mutedChanged('t1', false);
    assert.deepEqual(h.names(), ['trackPublished', 'trackMuted', 'trackUnmuted']);

    h.registry.consumerClosed('another-consumer');
    assert.ok(track.mediaStreamTrack);
    h.registry.consumerClosed(received.consumer.id);
    assert.equal(track.mediaStreamTrack, undefined);
    assert.equal(received.consumer.closed, true);
  });

  it('drops everything without events when the room closes', async () => {
    const h = harness({ autoSubscribe: false });
    h.registry.published(info());
    h.registry.published(info({ id: 't2', name: 'screen' }));
    const subscribing = h.registry.tracks.get('t1')!.subscribe();
    h.registry.unpublished('t2');
    h.registry.closed(new DisconnectedError('left'));
    await assert.rejects(subscribing, (error: unknown) => error instanceof DisconnectedError);
    assert.equal(h.registry.tracks.size, 0);
    await sleep(GRACE_MS * 2);
    assert.deepEqual(h.names(), ['trackPublished', 'trackPublished'], 'no trackUnpublished, even after the grace period');
  });
});
