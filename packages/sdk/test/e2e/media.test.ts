import assert from 'node:assert/strict';
import { TrackError, type LocalTrackUnpublishedEvent, type RemoteTrack } from '../../src/index.js';
import { FlakyNetwork } from './flaky-network.js';
import { receive, syntheticCamera, syntheticMicrophone, type Receiver, type SyntheticTrack } from './media-sources.js';
import { SdkFixture, sleep, waitFor } from './sdk-peers.js';
import { TOPOLOGIES } from './topologies.js';
import { named, recordTracks } from './track-log.js';

// A token that may only watch: subscribe to tracks and receive data.
const VIEWER = { claims: { grants: { subscribe: true, receiveData: true } } };

// Publishers and viewers as SDK peers in Node, media from wrtc's synthetic sources.
for (const topology of TOPOLOGIES) {
  describe(`SDK end to end: media (${topology.name})`, function () {
    this.timeout(60000);
    let f: SdkFixture;
    // Sources and sinks to stop after each test: live wrtc objects at exit can crash Node.
    const running: Array<{ stop(): void }> = [];
    const started = <T extends SyntheticTrack | Receiver>(thing: T): T => (running.push(thing), thing);

    before(async () => (f = await SdkFixture.start(['--reconnect-grace', '10', ...topology.flags])));
    afterEach(() => {
      for (const thing of running.splice(0)) thing.stop();
    });
    after(() => f.close());

    async function decodes(track: RemoteTrack, what: string): Promise<Receiver> {
      const receiver = started(receive(track.mediaStreamTrack!));
      await waitFor(() => receiver.frames >= 10, `ten decoded frames of ${what}`, 15000);
      return receiver;
    }

    it('plays a published camera and microphone to a subscribe-only viewer, which auto-subscribes', async () => {
      const viewer = await f.join('m1', 'viewer', VIEWER);
      const log = recordTracks(viewer.room);
      const host = await f.join('m1', 'host');
      assert.equal(f.server.server.rooms.get('m1')?.workerPids.length, topology.workersPerRoom, 'viewer and host on the expected workers');
      const camera = started(syntheticCamera());
      const microphone = started(syntheticMicrophone());

      const video = await host.room.publish(camera.track, { name: 'camera', source: 'camera' });
      const audio = await host.room.publish(microphone.track, { source: 'microphone' });
      assert.deepEqual([video.kind, video.name, video.source, video.muted], ['video', 'camera', 'camera', false]);
      assert.deepEqual([audio.kind, audio.name], ['audio', 'microphone'], 'the name defaults to the source');
      assert.deepEqual([...host.room.localTracks.keys()], ['camera', 'microphone']);

      await waitFor(() => named(log, 'trackSubscribed').length === 2, 'the viewer to receive both tracks', 10000);
      assert.equal(named(log, 'trackPublished').length, 2);
      const remoteVideo = viewer.room.tracks.get(video.id)!;
      const remoteAudio = viewer.room.tracks.get(audio.id)!;
      assert.deepEqual(
        [remoteVideo.peerId, remoteVideo.kind, remoteVideo.name, remoteVideo.source, remoteVideo.muted, remoteVideo.subscribed],
        [host.room.peerId, 'video', 'camera', 'camera', false, true],
      );
      assert.equal(remoteAudio.kind, 'audio');
      const frames = await decodes(remoteVideo, 'video');
      assert.equal(frames.width, 320);
      await decodes(remoteAudio, 'audio');
    });

    it('gives a viewer joining later the tracks already published, as events right after connect', async () => {
      const host = await f.join('m7', 'host');
      const local = await host.room.publish(started(syntheticCamera()).track);
      const speakers: string[] = [];
      const viewer = await f.join('m7', 'viewer', VIEWER);
      // Listeners added after `connect` resolved still get the events of the join.
      const log = recordTracks(viewer.room);
      viewer.room.on('activeSpeaker', ({ peerId }) => speakers.push(peerId));
      await waitFor(() => named(log, 'trackSubscribed').length === 1, 'the viewer to receive the track', 10000);
      assert.deepEqual(named(log, 'trackPublished'), [viewer.room.tracks.get(local.id)]);
      await decodes(named(log, 'trackSubscribed')[0]!, 'the track published before the join');

      await host.room.publish(started(syntheticMicrophone()).track);
      await waitFor(() => speakers.includes(host.room.peerId), 'the publisher of the tone to be the active speaker', 10000);
    });

    it('finds the active speaker among microphones published on different workers', async () => {
      const viewer = await f.join('m9', 'viewer', VIEWER);
      const speakers: string[] = [];
      viewer.room.on('activeSpeaker', ({ peerId }) => speakers.push(peerId));
      const first = await f.join('m9', 'first');
      const second = await f.join('m9', 'second');
      const room = f.server.server.rooms.get('m9')!;
      const workersOf = [first, second].map((p) => room.workerPidOf(p.room.peerId));
      assert.equal(new Set(workersOf).size, topology.workersPerRoom, 'the two speakers on the expected workers');
      // The room observes speakers on the first microphone's router; the second one is piped there.
      const firstMicrophone = await first.room.publish(started(syntheticMicrophone()).track);
      await waitFor(() => speakers.includes(first.room.peerId), 'the first microphone to be the active speaker', 15000);
      await second.room.publish(started(syntheticMicrophone()).track);
      await firstMicrophone.stop();
      await waitFor(() => speakers.includes(second.room.peerId), 'the second microphone to become the active speaker', 15000);
    });

    it('tells subscribers when a track is muted, unmuted and stopped', async () => {
      const viewer = await f.join('m2', 'viewer', VIEWER);
      const log = recordTracks(viewer.room);
      const host = await f.join('m2', 'host');
      const ended: LocalTrackUnpublishedEvent[] = [];
      host.room.on('localTrackUnpublished', (event) => ended.push(event));
      const camera = started(syntheticCamera());
      const local = await host.room.publish(camera.track);
      await waitFor(() => named(log, 'trackSubscribed').length === 1, 'the viewer to receive the track', 10000);
      const remote = named(log, 'trackPublished')[0]!;

      await local.mute();
      assert.equal(local.muted, true);
      assert.equal(camera.track.enabled, false, 'a muted track is disabled');
      await waitFor(() => named(log, 'trackMuted').length === 1, 'trackMuted');
      assert.equal(named(log, 'trackMuted')[0], remote);
      assert.equal(remote.muted, true);
      await local.unmute();
      await waitFor(() => named(log, 'trackUnmuted').length === 1, 'trackUnmuted');
      assert.equal(remote.muted, false);

      await local.stop();
      assert.equal(camera.track.readyState, 'ended', 'stop() stops the media track');
      assert.equal(host.room.localTracks.size, 0);
      assert.deepEqual(ended, [{ track: local, reason: 'stopped' }]);
      // The viewer cannot tell an unpublish from a publisher's reconnect, so it waits its grace period.
      await waitFor(() => named(log, 'trackUnpublished').length === 1, 'trackUnpublished', 10000);
      assert.equal(named(log, 'trackUnpublished')[0], remote);
      assert.equal(viewer.room.tracks.size, 0);
      assert.equal(remote.subscribed, false);
      assert.equal(remote.mediaStreamTrack, undefined);
    });

    it('sends simulcast layers when asked, and a subscriber can switch to the lowest', async () => {
      const viewer = await f.join('m8', 'viewer', VIEWER);
      const log = recordTracks(viewer.room);
      const host = await f.join('m8', 'host');
      // wrtc's tracks claim 640×480 whatever they carry, which makes two layers: a quarter and the full size.
      await host.room.publish(started(syntheticCamera(960, 540)).track, { simulcast: true });
      await waitFor(() => named(log, 'trackSubscribed').length === 1, 'the viewer to receive the track', 10000);
      const remote = named(log, 'trackSubscribed')[0]!;
      const frames = started(receive(remote.mediaStreamTrack!));
      await waitFor(() => frames.width === 960, 'frames of the top layer (once the bandwidth estimate allows)', 20000);
      await remote.setPreferredLayers(0);
      await waitFor(() => frames.width === 240, 'frames of the lowest layer (a quarter of 960)', 10000);
    });

    it('refuses to publish without the publish grant, with a typed error', async () => {
      const viewer = await f.join('m3', 'viewer', VIEWER);
      const camera = started(syntheticCamera());
      await assert.rejects(viewer.room.publish(camera.track), (error: unknown) => error instanceof TrackError && error.code === 'PERMISSION_DENIED');
      assert.equal(viewer.room.localTracks.size, 0);
    });

    it('subscribes only when asked with autoSubscribe: false, and unsubscribes', async () => {
      const viewer = await f.join('m4', 'viewer', { ...VIEWER, autoSubscribe: false });
      const log = recordTracks(viewer.room);
      const host = await f.join('m4', 'host');
      const local = await host.room.publish(started(syntheticCamera()).track);
      await waitFor(() => named(log, 'trackPublished').length === 1, 'trackPublished');
      const remote = viewer.room.tracks.get(local.id)!;
      await sleep(300);
      assert.equal(remote.subscribed, false);
      assert.equal(remote.mediaStreamTrack, undefined);

      await remote.subscribe();
      assert.equal(remote.subscribed, true);
      await decodes(remote, 'the subscribed track');
      await remote.unsubscribe();
      assert.equal(remote.subscribed, false);
      assert.equal(remote.mediaStreamTrack, undefined);
    });

    it('publishes again after the publisher reconnects; the viewer keeps the same RemoteTrack', async () => {
      const network = new FlakyNetwork();
      const viewer = await f.join('m5', 'viewer', VIEWER);
      const log = recordTracks(viewer.room);
      const host = await f.join('m5', 'host', { environment: network.environment, reconnect: { timeoutMs: 15000 } });
      const local = await host.room.publish(started(syntheticCamera()).track, { name: 'camera' });
      await waitFor(() => named(log, 'trackSubscribed').length === 1, 'the viewer to receive the track', 10000);
      const remote = named(log, 'trackPublished')[0]!;
      await decodes(remote, 'the track before the drop');
      const before = { id: local.id, media: remote.mediaStreamTrack };

      network.cut();
      await waitFor(() => host.room.connectionState === 'reconnecting', 'the publisher to notice the drop');
      await sleep(300);
      network.restore();
      await waitFor(() => local.id !== before.id, 'the track to be published again', 10000);
      const receivingNew = () => remote.id === local.id && remote.mediaStreamTrack !== undefined && remote.mediaStreamTrack !== before.media;
      await waitFor(receivingNew, 'the viewer to receive the new publication', 10000);

      const frames = await decodes(remote, 'the track after the reconnect');
      assert.equal(frames.width, 320);
      assert.equal(viewer.room.tracks.get(local.id), remote, 'room.tracks follows the new ID');
      assert.equal(viewer.room.tracks.size, 1);
      assert.deepEqual(named(log, 'trackPublished'), [remote], 'no second trackPublished');
      assert.deepEqual(named(log, 'trackUnpublished'), [], 'no trackUnpublished');
      assert.deepEqual([...host.room.localTracks.values()], [local]);
    });

    it('subscribes again after the viewer reconnects', async () => {
      const network = new FlakyNetwork();
      const viewer = await f.join('m6', 'viewer', { ...VIEWER, environment: network.environment, reconnect: { timeoutMs: 15000 } });
      const log = recordTracks(viewer.room);
      const host = await f.join('m6', 'host');
      const local = await host.room.publish(started(syntheticCamera()).track);
      await waitFor(() => named(log, 'trackSubscribed').length === 1, 'the viewer to receive the track', 10000);
      const remote = named(log, 'trackPublished')[0]!;
      const media = remote.mediaStreamTrack;

      network.cut();
      await waitFor(() => viewer.room.connectionState === 'reconnecting', 'the viewer to notice the drop');
      network.restore();
      await waitFor(() => named(log, 'trackSubscribed').length === 2, 'the viewer to subscribe again', 10000);
      assert.notEqual(remote.mediaStreamTrack, media);
      assert.equal(remote.id, local.id);
      await decodes(remote, 'the track after the reconnect');
      assert.deepEqual(named(log, 'trackPublished'), [remote]);
      assert.deepEqual(named(log, 'trackUnpublished'), []);
    });
  });
}
