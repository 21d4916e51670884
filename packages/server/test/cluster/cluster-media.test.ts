import assert from 'node:assert/strict';
import wrtc from '@roamhq/wrtc';
import type { Consumer, Producer } from 'mediasoup-client/types';
import type { ConsumerInfo, GrantName } from '@switchboard/sdk/protocol';
import { AccessToken } from '../../src/auth/access-token.js';
import { DEV_SECRETS } from '../../src/config.js';
import { startClusterNodes, stopClusterNodes, type ClusterNode } from '../support/cluster-harness.js';
import { RawPeer, RequestFailed } from '../support/raw-peer.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { syntheticCamera, WIDTH } from '../support/synthetic-camera.js';
import { sleep } from '../support/test-server.js';

/** Waits, bounded, until `check` holds. */
async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const VIEWER_GRANTS: GrantName[] = ['subscribe', 'receiveData'];

async function join(node: ClusterNode, room: string, identity: string, grants?: GrantName[]): Promise<RawPeer> {
  const token = await new AccessToken(DEV_SECRETS.tokenSecret, { room, identity, ttlSeconds: 300, ...(grants ? { grants } : {}) }).toJwt();
  const peer = await RawPeer.join(node.wsUrl, token);
  await peer.signaling.request('setRtpCapabilities', { rtpCapabilities: peer.device.rtpCapabilities });
  return peer;
}

async function consume(viewer: RawPeer, trackId: string): Promise<{ info: ConsumerInfo; consumer: Consumer }> {
  const info = await viewer.signaling.request('consume', { trackId });
  const consumer = await viewer.recvTransport.consume({ id: info.id, producerId: info.trackId, kind: info.kind, rtpParameters: info.rtpParameters });
  await viewer.signaling.request('resumeConsumer', { consumerId: info.id });
  return { info, consumer };
}

/** Bytes of RTP the viewer's receive transport has got for `consumer`'s stream (wrtc has no per-receiver stats). */
async function bytesReceived(viewer: RawPeer, consumer: Consumer): Promise<number> {
  const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
  let bytes = 0;
  for (const stat of (await viewer.recvTransport.getStats()).values()) {
    const inbound = stat as { type: string; ssrc?: number; bytesReceived?: number };
    if (inbound.type === 'inbound-rtp' && inbound.ssrc === ssrc) bytes += inbound.bytesReceived ?? 0;
  }
  return bytes;
}

/** Counts decoded frames of a consumer's track until stopped. */
function frameCounter(consumer: Consumer): { frames(): number; width(): number; stop(): void } {
  const sink = new wrtc.nonstandard.RTCVideoSink(consumer.track);
  let frames = 0;
  let width = 0;
  sink.onframe = ({ frame }: { frame: { width: number } }) => {
    frames++;
    width = frame.width;
  };
  return { frames: () => frames, width: () => width, stop: () => sink.stop() };
}

/** A gauge's value in a node's `/metrics`. */
async function gauge(node: ClusterNode, line: string): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const escaped = line.replace(/[{}"]/g, (c) => `\\${c}`);
  return Number(new RegExp(`^${escaped} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
}

const PIPES_IN = 'switchboard_cluster_media_pipes{direction="in"}';
const PIPES_OUT = 'switchboard_cluster_media_pipes{direction="out"}';

// A camera published on node A, played by viewers on node B: through the PipeTransports of
// cluster/node-pipes.ts, signaled over Redis. Viewers subscribe by track ID (the publisher's
// produce result), which is all this part of the cluster needs.
describe('cluster mode: media across nodes', function () {
  this.timeout(90_000);
  let redis: TestRedis;
  let nodes: ClusterNode[] = [];
  let host: RawPeer;
  let viewers: RawPeer[] = [];
  let camera: ReturnType<typeof syntheticCamera>;
  let producer: Producer;
  /** The first viewer's consumer of the camera. */
  let firstConsumerId: string;

  before(async () => {
    redis = await startTestRedis();
    nodes = await startClusterNodes(2, redis.url, { prefix: 'media' });
    host = await join(nodes[0]!, 'stage', 'host');
    viewers = [
      await join(nodes[1]!, 'stage', 'viewer-1', VIEWER_GRANTS),
      await join(nodes[1]!, 'stage', 'viewer-2', VIEWER_GRANTS),
    ];
    camera = syntheticCamera();
    producer = await host.sendTransport.produce({ track: camera.track, appData: { name: 'camera', source: 'camera' } });
  });

  after(async () => {
    camera?.stop();
    for (const peer of [host, ...viewers]) peer?.close();
    await stopClusterNodes(nodes);
    await redis?.close();
  });

  it('plays a producer of node A to a viewer on node B: RTP arrives and decodes', async () => {
    const { info, consumer } = await consume(viewers[0]!, producer.id);
    firstConsumerId = info.id;
    assert.equal(info.peerId, host.id);
    assert.equal(info.kind, 'video');
    const counter = frameCounter(consumer);
    try {
      await waitFor(() => counter.frames() >= 10, 'ten decoded frames on node B', 20_000);
      assert.equal(counter.width(), WIDTH);
      assert.ok((await bytesReceived(viewers[0]!, consumer)) > 0, 'the consumer received RTP bytes');
    } finally {
      counter.stop();
    }
    assert.equal(await gauge(nodes[1]!, PIPES_IN), 1);
    assert.equal(await gauge(nodes[0]!, PIPES_OUT), 1);
  });

  it('shares one pipe among the viewers of a node, and closes it after the last', async () => {
    const second = await consume(viewers[1]!, producer.id);
    const counter = frameCounter(second.consumer);
    try {
      await waitFor(() => counter.frames() >= 5, 'frames for the second viewer', 20_000);
    } finally {
      counter.stop();
    }
    assert.equal(await gauge(nodes[1]!, PIPES_IN), 1, 'still one pipe into node B');
    assert.equal(await gauge(nodes[0]!, PIPES_OUT), 1, 'still one pipe out of node A');
    for (const viewer of viewers) {
      for (const n of viewer.signaling.notificationsOf('consumerClosed')) assert.fail(`unexpected ${JSON.stringify(n.data)}`);
    }
    await viewers[1]!.signaling.request('closeConsumer', { consumerId: second.info.id });
    assert.equal(await gauge(nodes[1]!, PIPES_IN), 1, 'the first viewer still uses the pipe');
    await viewers[0]!.signaling.request('closeConsumer', { consumerId: firstConsumerId });
    await waitFor(async () => (await gauge(nodes[1]!, PIPES_IN)) === 0 && (await gauge(nodes[0]!, PIPES_OUT)) === 0, 'both ends of the pipe closed', 10_000);
  });

  it('propagates pause and resume of the producer through the pipe', async () => {
    const { consumer } = await consume(viewers[1]!, producer.id);
    await waitFor(async () => (await bytesReceived(viewers[1]!, consumer)) > 0, 'bytes before the pause', 20_000);
    await host.signaling.request('pauseProducer', { trackId: producer.id });
    // Packets already under way are allowed to land before the count is taken.
    await sleep(1000);
    const paused = await bytesReceived(viewers[1]!, consumer);
    await sleep(1500);
    assert.equal(await bytesReceived(viewers[1]!, consumer), paused, 'no RTP while the producer is paused');
    await host.signaling.request('resumeProducer', { trackId: producer.id });
    await waitFor(async () => (await bytesReceived(viewers[1]!, consumer)) > paused, 'RTP again after the resume', 20_000);
  });

  it('closes every consumer on node B, with consumerClosed, when the producer closes, and the pipes with them', async () => {
    await consume(viewers[0]!, producer.id);
    await host.signaling.request('closeProducer', { trackId: producer.id });
    for (const viewer of viewers) {
      await waitFor(() => viewer.signaling.notificationsOf('consumerClosed').some((n) => (n.data as { trackId: string }).trackId === producer.id), 'consumerClosed on node B', 10_000);
    }
    await waitFor(async () => (await gauge(nodes[1]!, PIPES_IN)) === 0 && (await gauge(nodes[0]!, PIPES_OUT)) === 0, 'no pipes left', 10_000);
    await assert.rejects(consume(viewers[0]!, producer.id), (e: unknown) => e instanceof RequestFailed && e.error.code === 'NOT_FOUND');
  });

  it('refuses a track of another room, on any node', async () => {
    const other = await join(nodes[0]!, 'backstage', 'other-host');
    try {
      const hidden = await other.sendTransport.produce({ track: camera.track.clone(), appData: { name: 'camera', source: 'camera' } });
      await assert.rejects(consume(viewers[0]!, hidden.id), (e: unknown) => e instanceof RequestFailed && e.error.code === 'NOT_FOUND');
    } finally {
      other.close();
    }
  });

  it('closes the pipe out of node A when the viewers’ node dies', async () => {
    const [extra] = await startClusterNodes(1, redis.url, { prefix: 'media-extra' });
    nodes.push(extra!);
    const viewer = await join(extra!, 'stage', 'viewer-3', VIEWER_GRANTS);
    producer = await host.sendTransport.produce({ track: camera.track.clone(), appData: { name: 'camera-2', source: 'camera' } });
    const { consumer } = await consume(viewer, producer.id);
    // A node started just now, in a full suite on 2 cores: its first RTP took over 20 s once.
    await waitFor(async () => (await bytesReceived(viewer, consumer)) > 0, 'RTP on the third node', 45_000);
    assert.equal(await gauge(nodes[0]!, PIPES_OUT), 1);
    await extra!.kill('SIGKILL');
    viewer.close();
    await waitFor(async () => (await gauge(nodes[0]!, PIPES_OUT)) === 0, 'the pipe out of node A closed', 15_000);
  });

  it('closes the consumers on node B, telling them, when node A dies', async () => {
    producer = await host.sendTransport.produce({ track: camera.track.clone(), appData: { name: 'camera-again', source: 'camera' } });
    const { consumer } = await consume(viewers[0]!, producer.id);
    await waitFor(async () => (await bytesReceived(viewers[0]!, consumer)) > 0, 'RTP before the crash', 20_000);
    await nodes[0]!.kill('SIGKILL');
    await waitFor(
      () => viewers[0]!.signaling.notificationsOf('consumerClosed').some((n) => (n.data as { trackId: string }).trackId === producer.id),
      'consumerClosed after node A died',
      15_000,
    );
    await waitFor(async () => (await gauge(nodes[1]!, PIPES_IN)) === 0, 'the pipe into node B closed', 10_000);
  });
});
