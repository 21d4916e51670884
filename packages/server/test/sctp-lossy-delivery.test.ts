import assert from 'node:assert/strict';
import wrtc from '@roamhq/wrtc';
import * as mediasoup from 'mediasoup';
import type { DataConsumerOptions, DataProducer, DirectTransport, Router, WebRtcTransport, Worker } from 'mediasoup/types';
import { Device } from 'mediasoup-client';
import type { DataConsumer as ClientDataConsumer, RtpCapabilities as ClientRtpCapabilities, Transport as ClientTransport } from 'mediasoup-client/types';
import { RECEIVER_CHANNEL_PARAMETERS } from '../src/data/receiver-channels.js';

// The minimal reproduction of the lossy loss of wave 2 (docs/decisions.md, "Lossy deliveries get
// a lifetime"): a worker sends unordered messages to a libwebrtc peer over a fresh SCTP
// association, one DataConsumer per SCTP settings, nothing of Switchboard's in between.
const SIZES = [1024, 4096, 5 * 1024, 16 * 1024, 60 * 1024];
const BURST = 500;
const BURST_BYTES = 200;
// Loopback delivers in well under a millisecond; this only bounds a test that fails.
const SETTLE_MS = 1500;

describe('unordered SCTP deliveries from the worker to a libwebrtc peer', function () {
  this.timeout(60000);

  let worker: Worker;
  let router: Router;
  let direct: DirectTransport;
  let writer: DataProducer;
  const closers: (() => void)[] = [];

  before(async () => {
    Object.assign(globalThis, { RTCPeerConnection: wrtc.RTCPeerConnection, MediaStream: wrtc.MediaStream });
    worker = await mediasoup.createWorker({ logLevel: 'error' });
    router = await worker.createRouter({ mediaCodecs: [] });
    direct = await router.createDirectTransport();
    writer = await direct.produceData({ label: 'lossy-source' });
  });

  after(() => {
    for (const close of closers) close();
    worker?.close();
  });

  it("delivers every size and a burst with the server's lossy channel parameters", async () => {
    const receiver = await connectReceiver(RECEIVER_CHANNEL_PARAMETERS.lossy);
    for (const size of SIZES) {
      assert.deepEqual(await sendAndCount(receiver, [size]), 1, `a lossy message of ${size} bytes arrives`);
    }
    // Lossy means no retransmission: on a machine busy enough that the receiver's socket buffer
    // overflows (CI runs every suite on 2 cores), a datagram lost there stays lost: a clean-clone
    // run lost 27 of 500 (it had asked for 95 %). The expiry this guards against lost all but
    // the first ~20, so half is a bound no loaded machine should reach and the bug cannot pass.
    const burst = await sendAndCount(receiver, Array.from({ length: BURST }, () => BURST_BYTES));
    assert.ok(burst >= BURST / 2, `a burst of ${BURST} arrives (${burst} did)`);
  });

  // Pins mediasoup 3.27's behaviour that the parameters above work around: with maxRetransmits
  // alone its lifetime is 0, so what the congestion window does not take at once expires unsent.
  // When this fails, an upgraded mediasoup no longer needs the lifetime (see docs/decisions.md).
  it('loses what does not fit the congestion window with `maxRetransmits: 0` alone (mediasoup 3.27)', async () => {
    const receiver = await connectReceiver({ ordered: false, maxRetransmits: 0 });
    assert.equal(await sendAndCount(receiver, [1024]), 1, 'a message within the window arrives');
    assert.equal(await sendAndCount(receiver, [16 * 1024]), 0, 'a message beyond the window never arrives');
    const burst = await sendAndCount(receiver, Array.from({ length: BURST }, () => BURST_BYTES));
    assert.ok(burst < BURST, `a burst loses what exceeds the window (${burst} of ${BURST} arrived)`);
  });

  interface Receiver {
    consumer: ClientDataConsumer;
    received: number;
  }

  // A libwebrtc peer (mediasoup-client over wrtc) receiving from `writer` through a WebRTC transport.
  async function connectReceiver(parameters: Pick<DataConsumerOptions, 'ordered' | 'maxRetransmits' | 'maxPacketLifeTime'>): Promise<Receiver> {
    const device = new Device({ handlerName: 'Chrome111' });
    await device.load({ routerRtpCapabilities: router.rtpCapabilities as ClientRtpCapabilities });
    const server = await router.createWebRtcTransport({
      listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
      enableSctp: true,
    });
    const client: ClientTransport = device.createRecvTransport({
      id: server.id,
      iceParameters: server.iceParameters,
      iceCandidates: server.iceCandidates,
      dtlsParameters: server.dtlsParameters,
      sctpParameters: server.sctpParameters!,
    });
    closers.push(() => client.close());
    client.on('connect', ({ dtlsParameters }, callback, errback) => {
      server.connect({ dtlsParameters }).then(callback, errback);
    });
    const serverConsumer = await server.consumeData({ dataProducerId: writer.id, ...parameters });
    const consumer = await client.consumeData({
      id: serverConsumer.id,
      dataProducerId: writer.id,
      sctpStreamParameters: serverConsumer.sctpStreamParameters!,
      label: 'lossy',
    });
    const receiver: Receiver = { consumer, received: 0 };
    consumer.on('message', () => receiver.received++);
    await Promise.all([opened(consumer), sctpConnected(server)]);
    return receiver;
  }

  // Sends messages of `sizes` in one go and counts how many arrive.
  async function sendAndCount(receiver: Receiver, sizes: number[]): Promise<number> {
    const before = receiver.received;
    for (const size of sizes) writer.send(Buffer.alloc(size, 7));
    const deadline = Date.now() + SETTLE_MS;
    while (receiver.received - before < sizes.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return receiver.received - before;
  }
});

function sctpConnected(t: WebRtcTransport): Promise<void> {
  if (t.sctpState === 'connected') return Promise.resolve();
  return new Promise((resolve) => t.on('sctpstatechange', (state) => state === 'connected' && resolve()));
}

function opened(channel: { readyState: RTCDataChannelState; on(event: 'open', listener: () => void): unknown }): Promise<void> {
  if (channel.readyState === 'open') return Promise.resolve();
  return new Promise((resolve) => channel.on('open', () => resolve()));
}
