import assert from 'node:assert/strict';
import type { RtpParameters } from 'mediasoup-client/types';
import { DisconnectedError, RequestError } from '../src/errors.js';
import { DEFAULT_GRANTS, type Grants, type SwitchboardError } from '../src/protocol/index.js';
import type { LocalTrack, LocalTrackEndReason } from '../src/track/local-track.js';
import { TrackError } from '../src/track/track-errors.js';
import { TrackPublisher } from '../src/track/track-publisher.js';
import { FakeTrack } from './support/fake-media.js';
import { FakeMediaServer } from './support/fake-media-server.js';

function publisher(grants: Partial<Grants> = {}) {
  const ended: Array<{ track: LocalTrack; reason: LocalTrackEndReason; error?: SwitchboardError }> = [];
  const tracks = new TrackPublisher({
    grants: () => ({ ...DEFAULT_GRANTS, ...grants }),
    simulcast: true,
    ended: (track, reason, error) => ended.push(error === undefined ? { track, reason } : { track, reason, error }),
  });
  return { tracks, ended };
}

const encodingsOf = (data: Record<string, unknown>) => (data.rtpParameters as RtpParameters).encodings ?? [];
const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(check(), 'condition not reached');
};

describe('TrackPublisher over fake WebRTC', () => {
  let server: FakeMediaServer;
  beforeEach(() => (server = new FakeMediaServer()));
  afterEach(() => server.close());

  it('publishes with the defaults: named after the source, three simulcast layers for 720p', async () => {
    const { tracks } = publisher();
    tracks.ready(await server.session());
    const local = await tracks.publish(FakeTrack.camera(1280, 720), {});
    const [produce] = server.of('produce');
    assert.deepEqual([produce!.name, produce!.source, produce!.kind], ['camera', 'camera', 'video']);
    assert.deepEqual(encodingsOf(produce!).map((e) => e.scaleResolutionDownBy), [4, 2, 1]);
    assert.match(local.id, /^produce-/, 'the ID the server gave');
    assert.deepEqual([local.name, local.source, local.kind, local.muted], ['camera', 'camera', 'video', false]);
    assert.equal(tracks.published.get('camera'), local);
  });

  it('picks the layers by size, and the codec by name; audio and custom tracks are named by kind', async () => {
    const { tracks } = publisher();
    tracks.ready(await server.session());
    await tracks.publish(FakeTrack.camera(640, 480), { name: 'vga' });
    await tracks.publish(FakeTrack.camera(320, 240), { name: 'small' });
    await tracks.publish(FakeTrack.camera(), { name: 'plain', simulcast: false });
    await tracks.publish(FakeTrack.camera(), { name: 'svc', codec: 'vp9' });
    const audio = await tracks.publish(new FakeTrack('audio') as unknown as MediaStreamTrack, {});
    const [vga, small, plain, svc] = server.of('produce');
    assert.deepEqual(encodingsOf(vga!).map((e) => e.scaleResolutionDownBy), [4, 1], 'two layers: a quarter and the full size');
    assert.equal(encodingsOf(small!).length, 1, 'too small for layers');
    assert.equal(encodingsOf(plain!).length, 1);
    assert.equal((svc!.rtpParameters as RtpParameters).codecs[0]?.mimeType, 'video/VP9');
    assert.deepEqual(encodingsOf(svc!).map((e) => e.scalabilityMode), ['L3T3_KEY']);
    assert.deepEqual([audio.name, audio.source], ['audio', 'custom']);
    // This fake device has no H264.
    await assert.rejects(tracks.publish(FakeTrack.camera(), { name: 'h264', codec: 'h264' }), (e: unknown) => e instanceof TrackError && e.code === 'UNSUPPORTED');
    await assert.rejects(tracks.publish(new FakeTrack('audio') as unknown as MediaStreamTrack, { name: 'a', codec: 'vp8' }), (e: unknown) => e instanceof TrackError && e.code === 'MALFORMED');
  });

  it('waits for a connection, and publishes again on the next one, muted if it was', async () => {
    const { tracks } = publisher();
    const camera = FakeTrack.camera();
    const publishing = tracks.publish(camera, { name: 'cam' });
    assert.equal(tracks.published.size, 1, 'registered at once, so a reconnect meanwhile publishes it too');
    const first = await server.session();
    tracks.ready(first);
    const local = await publishing;
    const firstId = local.id;
    await local.mute();
    assert.deepEqual(server.of('pauseProducer'), [{ trackId: firstId }]);
    assert.equal(camera.enabled, false);

    first.close();
    tracks.lost();
    assert.equal(camera.readyState, 'live', 'a dropped connection does not stop the media track');
    await local.unmute();
    await local.mute();
    assert.equal(server.of('resumeProducer').length, 0, 'nothing to tell a server we are not connected to');
    tracks.ready(await server.session());
    await until(() => server.of('pauseProducer').length === 2);
    assert.notEqual(local.id, firstId);
    assert.deepEqual(server.of('produce').map((p) => p.name), ['cam', 'cam']);
    assert.deepEqual(server.of('pauseProducer')[1], { trackId: local.id });
  });

  it('refuses without the grant, for a name in use, and for an ended track; passes on the server refusal', async () => {
    await assert.rejects(publisher({ publish: false }).tracks.publish(FakeTrack.camera(), {}), (e: unknown) => e instanceof TrackError && e.code === 'PERMISSION_DENIED');
    const { tracks } = publisher();
    tracks.ready(await server.session());
    await tracks.publish(FakeTrack.camera(), {});
    await assert.rejects(tracks.publish(FakeTrack.camera(), {}), (e: unknown) => e instanceof TrackError && e.code === 'ALREADY_JOINED');
    const ended = FakeTrack.camera();
    ended.stop();
    await assert.rejects(tracks.publish(ended, { name: 'x' }), (e: unknown) => e instanceof TrackError && e.code === 'MALFORMED');

    server.refuse.produce = { code: 'PERMISSION_DENIED', message: 'this token does not grant publish' };
    await assert.rejects(tracks.publish(FakeTrack.camera(), { name: 'refused' }), (e: unknown) => e instanceof RequestError && e.code === 'PERMISSION_DENIED');
    assert.deepEqual([...tracks.published.keys()], ['camera']);
  });

  it('stop() unpublishes on the server and stops the media track; an ended media track unpublishes itself', async () => {
    const { tracks, ended } = publisher();
    tracks.ready(await server.session());
    const camera = FakeTrack.camera();
    const local = await tracks.publish(camera, {});
    await local.stop();
    await local.stop();
    assert.equal(camera.readyState, 'ended');
    assert.deepEqual(server.of('closeProducer'), [{ trackId: local.id }]);
    assert.deepEqual(ended, [{ track: local, reason: 'stopped' }]);
    assert.equal(tracks.published.size, 0);

    const unplugged = new FakeTrack('video', { deviceId: 'cam-2', width: 1280, height: 720 });
    const second = await tracks.publish(unplugged as unknown as MediaStreamTrack, {});
    unplugged.end();
    await until(() => server.of('closeProducer').length === 2);
    assert.deepEqual(ended.at(-1), { track: second, reason: 'ended' });
  });

  it('replaces the media track in place; refuses another kind', async () => {
    const { tracks } = publisher();
    tracks.ready(await server.session());
    const first = FakeTrack.camera();
    const local = await tracks.publish(first, {});
    const next = FakeTrack.camera();
    await local.replaceTrack(next);
    assert.equal(local.mediaStreamTrack, next);
    assert.equal(first.readyState, 'live', 'the previous track is left to the application');
    assert.equal(server.of('produce').length, 1, 'no new publication');
    await assert.rejects(local.replaceTrack(new FakeTrack('audio') as unknown as MediaStreamTrack), (e: unknown) => e instanceof TrackError && e.code === 'MALFORMED');
  });

  it('fails pending and later publications once the room is closed', async () => {
    const { tracks } = publisher();
    const pending = tracks.publish(FakeTrack.camera(), {});
    tracks.closed(new DisconnectedError('left'));
    await assert.rejects(pending, (e: unknown) => e instanceof DisconnectedError);
    await assert.rejects(tracks.publish(FakeTrack.camera(), {}), (e: unknown) => e instanceof DisconnectedError);
    assert.equal(tracks.published.size, 0);
  });
});
