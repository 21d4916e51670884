import assert from 'node:assert/strict';
import wrtc from '@roamhq/wrtc';
import * as mediasoup from 'mediasoup';
import type { Producer as ServerProducer, ProducerTraceEventData, WebRtcTransport, Worker } from 'mediasoup/types';
import type { Producer } from 'mediasoup-client/types';
import { RawPeer } from './support/raw-peer.js';
import { syntheticCamera } from './support/synthetic-camera.js';
import { startTestServer, waitFor, type TestServer } from './support/test-server.js';

const INITIAL_BITRATE = 3_000_000;
const KEY_FRAME_DELAY_MS = 1_000;
// The longest allowed, so that the test sees a held resume; a resume waits only for consumers
// created and not yet resumed, which none of the other tests leaves behind.
const VIDEO_START_HOLD_MS = 1_000;

/** The server's mediasoup objects, seen through mediasoup's observer API. */
class ServerMedia {
  readonly producers: ServerProducer[] = [];
  /** Transports that carry at least one consumer: peers' receive transports (WebRTC ones). */
  readonly receiving = new Set<WebRtcTransport>();

  readonly watchWorker = (worker: Worker): void => {
    worker.observer.on('newrouter', (router) =>
      router.observer.on('newtransport', (transport) => {
        transport.observer.on('newproducer', (producer) => this.producers.push(producer));
        transport.observer.on('newconsumer', () => this.receiving.add(transport as WebRtcTransport));
      }),
    );
  };
}

/**
 * Subscribes `viewer` to `trackId` with its consumer still paused: `resume` asks the server to
 * resume it, and `decoded` resolves on its first decoded frame.
 */
async function prepare(viewer: RawPeer, trackId: string): Promise<{ resume(): Promise<void>; decoded: Promise<void> }> {
  await viewer.signaling.request('setRtpCapabilities', { rtpCapabilities: viewer.device.rtpCapabilities });
  const info = await viewer.signaling.request('consume', { trackId });
  const consumer = await viewer.recvTransport.consume({ id: info.id, producerId: info.trackId, kind: info.kind, rtpParameters: info.rtpParameters });
  const sink = new wrtc.nonstandard.RTCVideoSink(consumer.track);
  let frames = 0;
  sink.onframe = () => frames++;
  return {
    resume: async () => void (await viewer.signaling.request('resumeConsumer', { consumerId: info.id })),
    decoded: waitFor(() => frames > 0, 'a decoded frame', 15000).finally(() => sink.stop()),
  };
}

/** Subscribes `viewer` to `trackId` (consumer resumed); `decoded` resolves on its first decoded frame. */
async function subscribe(viewer: RawPeer, trackId: string): Promise<{ decoded: Promise<void> }> {
  const subscription = await prepare(viewer, trackId);
  await subscription.resume();
  return subscription;
}

// How a new viewer's video starts: the key frame it needs, and the bandwidth estimate of its
// receive transport (which decides the simulcast layer it gets first).
describe('media: start of a new viewer', function () {
  this.timeout(40000);
  const media = new ServerMedia();
  let t: TestServer;
  let host: RawPeer;
  let camera: ReturnType<typeof syntheticCamera>;
  let producer: Producer;
  const viewers: RawPeer[] = [];

  before(async () => {
    mediasoup.observer.on('newworker', media.watchWorker);
    t = await startTestServer([
      ...['--initial-outgoing-bitrate', String(INITIAL_BITRATE), '--key-frame-request-delay', String(KEY_FRAME_DELAY_MS)],
      ...['--video-start-hold', String(VIDEO_START_HOLD_MS)],
    ]);
    host = await RawPeer.join(t.wsUrl, await t.token('start', 'host'));
    camera = syntheticCamera();
    producer = await host.sendTransport.produce({ track: camera.track, appData: { name: 'camera', source: 'camera' } });
  });

  after(async () => {
    mediasoup.observer.off('newworker', media.watchWorker);
    camera?.stop();
    [host, ...viewers].forEach((p) => p.close());
    await t.close();
  });

  const viewer = async (name: string): Promise<RawPeer> => {
    const peer = await RawPeer.join(t.wsUrl, await t.token('start', name, { grants: { subscribe: true, receiveData: true } }));
    viewers.push(peer);
    return peer;
  };

  it('starts the bandwidth estimate of a receive transport at --initial-outgoing-bitrate', async () => {
    await (await subscribe(await viewer('first'), producer.id)).decoded;
    assert.equal(media.receiving.size, 1);
    const [transport] = [...media.receiving];
    const [stats] = await transport!.getStats();
    // mediasoup's default start is 600 kbit/s, and a few seconds on loopback do not double it.
    assert.ok((stats?.availableOutgoingBitrate ?? 0) > INITIAL_BITRATE / 2, `available outgoing bitrate ${stats?.availableOutgoingBitrate}`);
  });

  /** Times at which the server asked the publisher for a key frame, from now on. */
  const keyFrameRequests = async (): Promise<number[]> => {
    const [served] = media.producers;
    assert.ok(served, 'the server-side producer');
    const requests: number[] = [];
    served.on('trace', (trace: ProducerTraceEventData) => {
      if (trace.direction === 'out' && (trace.type === 'pli' || trace.type === 'fir')) requests.push(performance.now());
    });
    await served.enableTraceEvent(['pli', 'fir']);
    return requests;
  };

  it('merges the key frame requests of viewers joining together into one', async () => {
    const requests = await keyFrameRequests();
    // Past the first viewer's window, so that the burst's first request opens a new one.
    await new Promise((resolve) => setTimeout(resolve, KEY_FRAME_DELAY_MS + 200));
    const [second, third, fourth] = [await viewer('second'), await viewer('third'), await viewer('fourth')];
    const started = performance.now();
    // The first new viewer gets its key frame; the next ones subscribe after it arrived, when
    // (without merging) each would ask for another one, which the publisher may ignore.
    await (await subscribe(second!, producer.id)).decoded;
    const later = [await subscribe(third!, producer.id)];
    await new Promise((resolve) => setTimeout(resolve, 100));
    later.push(await subscribe(fourth!, producer.id));
    const windowEnd = started + KEY_FRAME_DELAY_MS - 100;
    const inWindow = requests.filter((at) => at >= started && at < windowEnd).length;
    // On a machine too slow to subscribe all three within the window, one more may have gone out.
    if (performance.now() < windowEnd) assert.equal(inWindow, 1, 'key frame requests within the window');
    else assert.ok(inWindow >= 1 && inWindow <= 2, `${inWindow} key frame requests within the window`);
    // The one merged request at the end of the window serves them all.
    await Promise.all(later.map((subscription) => subscription.decoded));
  });

  it('starts viewers subscribing at the same time together, with one key frame request', async () => {
    const requests = await keyFrameRequests();
    // Past the previous test's window, so that the first resume asks for a key frame at once.
    await new Promise((resolve) => setTimeout(resolve, KEY_FRAME_DELAY_MS + 200));
    const [fifth, sixth] = [await viewer('fifth'), await viewer('sixth')];
    const first = await prepare(fifth!, producer.id);
    const second = await prepare(sixth!, producer.id);
    const started = performance.now();
    let firstResumed = false;
    const resumingFirst = first.resume().then(() => (firstResumed = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(firstResumed, false, "the first viewer's resume waits for the other new viewer of the track");
    const resumed = performance.now();
    await second.resume();
    await resumingFirst;
    await Promise.all([first.decoded, second.decoded]);
    // Without the hold the second viewer, resumed after the first one's key frame went by, would
    // need a second request: the merged one, sent when the window ends.
    const sent = requests.filter((at) => at >= started).length;
    if (performance.now() < resumed + KEY_FRAME_DELAY_MS - 100) assert.equal(sent, 1, 'key frame requests until both decoded');
    else assert.ok(sent <= 2, `${sent} key frame requests until both decoded on a slow machine`);
  });
});
