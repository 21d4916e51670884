import assert from 'node:assert/strict';
import wrtc from '@roamhq/wrtc';
import type { Consumer, Producer } from 'mediasoup-client/types';
import type { ConsumerInfo, TrackInfo } from '@switchboard/sdk/protocol';
import { RawPeer, RequestFailed } from './support/raw-peer.js';
import { syntheticCamera, WIDTH } from './support/synthetic-camera.js';
import { startTestServer, waitFor, type TestServer } from './support/test-server.js';

async function consume(viewer: RawPeer, trackId: string): Promise<{ info: ConsumerInfo; consumer: Consumer }> {
  const info = await viewer.signaling.request('consume', { trackId });
  const consumer = await viewer.recvTransport.consume({ id: info.id, producerId: info.trackId, kind: info.kind, rtpParameters: info.rtpParameters });
  await viewer.signaling.request('resumeConsumer', { consumerId: info.id });
  return { info, consumer };
}

// Media through the server with libwebrtc peers in Node: a publisher on wrtc's synthetic video
// source, a viewer that decodes the frames.
describe('media: publish and subscribe', function () {
  this.timeout(30000);
  let t: TestServer;
  let host: RawPeer;
  let viewer: RawPeer;
  let camera: ReturnType<typeof syntheticCamera>;
  let producer: Producer;

  before(async () => {
    t = await startTestServer();
    host = await RawPeer.join(t.wsUrl, await t.token('stage', 'host'));
    viewer = await RawPeer.join(t.wsUrl, await t.token('stage', 'viewer', { grants: { subscribe: true, receiveData: true } }));
    await viewer.signaling.request('setRtpCapabilities', { rtpCapabilities: viewer.device.rtpCapabilities });
    camera = syntheticCamera();
  });

  after(async () => {
    camera?.stop();
    [host, viewer].forEach((p) => p.close());
    await t.close();
  });

  it('publishes a track, tells the room, and lists it in the HTTP API', async () => {
    producer = await host.sendTransport.produce({ track: camera.track, appData: { name: 'camera', source: 'camera' } });
    await waitFor(() => viewer.signaling.notificationsOf('trackPublished').length === 1, 'trackPublished');
    const { track } = viewer.signaling.notificationsOf('trackPublished')[0]!.data as { track: TrackInfo };
    assert.deepEqual(track, { id: producer.id, peerId: host.id, kind: 'video', name: 'camera', source: 'camera', muted: false, layers: 1 });
    const peers = (await (await fetch(`${t.server.url}/api/rooms/stage/peers`, { headers: { Authorization: `Bearer ${t.config.apiSecret}` } })).json()) as {
      peers: { id: string; tracks: TrackInfo[] }[];
    };
    assert.deepEqual(peers.peers.find((p) => p.id === host.id)?.tracks.map((tr) => tr.id), [producer.id]);
  });

  it('delivers decodable video to a viewer in Node', async () => {
    const { info, consumer } = await consume(viewer, producer.id);
    assert.equal(info.peerId, host.id);
    assert.equal(info.kind, 'video');
    const sink = new wrtc.nonstandard.RTCVideoSink(consumer.track);
    let frames = 0;
    let width = 0;
    sink.onframe = ({ frame }: { frame: { width: number } }) => {
      frames++;
      width = frame.width;
    };
    try {
      await waitFor(() => frames >= 10, 'ten decoded frames', 15000);
      assert.equal(width, WIDTH);
      const metrics = await (await fetch(`${t.server.url}/metrics`)).text();
      assert.match(metrics, /^switchboard_producers 1$/m);
      assert.match(metrics, /^switchboard_consumers 1$/m);
      const bitrate = Number(/^switchboard_forwarded_bitrate (\d+)$/m.exec(metrics)?.[1]);
      assert.ok(bitrate > 10_000, `forwarded bitrate ${bitrate} bit/s`);
    } finally {
      sink.stop();
    }
  });

  it('tells subscribers when a track is muted, unmuted and unpublished', async () => {
    await host.signaling.request('pauseProducer', { trackId: producer.id });
    await host.signaling.request('resumeProducer', { trackId: producer.id });
    await waitFor(() => viewer.signaling.notificationsOf('trackUnmuted').length === 1, 'mute and unmute');
    assert.equal(viewer.signaling.notificationsOf('trackMuted').length, 1);
    await host.signaling.request('closeProducer', { trackId: producer.id });
    await waitFor(() => viewer.signaling.notificationsOf('trackUnpublished').length === 1, 'trackUnpublished');
    await waitFor(() => viewer.signaling.notificationsOf('consumerClosed').length === 1, 'consumerClosed');
    assert.deepEqual(viewer.signaling.notificationsOf('trackUnpublished')[0]?.data, { trackId: producer.id, peerId: host.id });
  });

  it('refuses to publish without the publish grant and to subscribe without the subscribe grant', async () => {
    const second = await host.sendTransport.produce({ track: camera.track.clone(), appData: { name: 'camera-2', source: 'camera' } });
    // A viewer (neither publish nor sendData) has no send transport at all; a chatter has one
    // for its DataChannels, and publishing on it is refused.
    assert.throws(() => viewer.sendTransport, /without a send transport/);
    const chatter = await RawPeer.join(t.wsUrl, await t.token('stage', 'chatter', { grants: { sendData: true, receiveData: true } }));
    const blind = await RawPeer.join(t.wsUrl, await t.token('stage', 'blind', { grants: { receiveData: true } }));
    try {
      await assert.rejects(chatter.sendTransport.produce({ track: camera.track.clone(), appData: { name: 'sneaky', source: 'camera' } }), /PERMISSION_DENIED/);
      await blind.signaling.request('setRtpCapabilities', { rtpCapabilities: blind.device.rtpCapabilities });
      await assert.rejects(blind.signaling.request('consume', { trackId: second.id }), (e: unknown) => e instanceof RequestFailed && e.error.code === 'PERMISSION_DENIED');
      await assert.rejects(viewer.signaling.request('consume', { trackId: 'no-such-track' }), (e: unknown) => e instanceof RequestFailed && e.error.code === 'NOT_FOUND');
    } finally {
      chatter.close();
      blind.close();
      second.close();
    }
  });
});
