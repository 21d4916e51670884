import assert from 'node:assert/strict';
import wrtc from '@roamhq/wrtc';
import * as mediasoup from 'mediasoup';
import type { DirectTransport, Router, WebRtcTransport, Worker } from 'mediasoup/types';
import { Device } from 'mediasoup-client';
import type { RtpCapabilities as ClientRtpCapabilities, Transport as ClientTransport, TransportOptions } from 'mediasoup-client/types';

// A real libwebrtc peer (mediasoup-client over @roamhq/wrtc) against a worker started from the
// installed binary: ICE, DTLS and SCTP must all complete. A worker built against Debian's
// OpenSSL without the DtlsTransport fix dies on the first DTLS handshake, which only a test
// like this one notices.
describe('mediasoup worker with a libwebrtc peer', function () {
  this.timeout(30000);

  let worker: Worker;
  let router: Router;
  const clientTransports: ClientTransport[] = [];

  before(async () => {
    Object.assign(globalThis, { RTCPeerConnection: wrtc.RTCPeerConnection, MediaStream: wrtc.MediaStream });
    worker = await mediasoup.createWorker({ logLevel: 'warn' });
    router = await worker.createRouter({ mediaCodecs: [] });
  });

  after(() => {
    for (const t of clientTransports) t.close();
    worker?.close();
  });

  it('completes ICE + DTLS + SCTP and round-trips binary messages both ways', async () => {
    let workerDied: Error | undefined;
    worker.on('died', (error) => (workerDied = error));

    const device = new Device({ handlerName: 'Chrome111' });
    // mediasoup's and mediasoup-client's type packages differ in a few literal unions only.
    await device.load({ routerRtpCapabilities: router.rtpCapabilities as ClientRtpCapabilities });

    const serverSend = await serverTransport(router);
    const serverRecv = await serverTransport(router);
    const direct: DirectTransport = await router.createDirectTransport();

    const sendTransport = device.createSendTransport(transportOptions(serverSend));
    const recvTransport = device.createRecvTransport(transportOptions(serverRecv));
    clientTransports.push(sendTransport, recvTransport);
    for (const [client, server] of [[sendTransport, serverSend], [recvTransport, serverRecv]] as const) {
      client.on('connect', ({ dtlsParameters }, callback, errback) => {
        server.connect({ dtlsParameters }).then(callback, errback);
      });
    }
    const serverProducers: string[] = [];
    sendTransport.on('producedata', ({ sctpStreamParameters, label, protocol }, callback, errback) => {
      serverSend.produceData({ sctpStreamParameters: { ...sctpStreamParameters, streamId: sctpStreamParameters.streamId! }, label, protocol }).then((p) => {
        serverProducers.push(p.id);
        callback({ id: p.id });
      }, errback);
    });

    // Client -> server: a DataProducer on the WebRTC send transport, read by a DirectTransport.
    const clientProducer = await sendTransport.produceData({ ordered: true, label: 'up' });
    assert.deepEqual(serverProducers, [clientProducer.id]);
    const serverReader = await direct.consumeData({ dataProducerId: clientProducer.id });
    await opened(clientProducer);

    const upstream = new Uint8Array([0, 1, 2, 254, 255, 128]);
    const received = new Promise<Buffer>((resolve) => serverReader.once('message', (data) => resolve(data)));
    clientProducer.send(upstream.buffer);
    assert.deepEqual([...(await received)], [...upstream]);

    // Server -> client: a DirectTransport DataProducer, consumed over the WebRTC recv transport.
    const serverWriter = await direct.produceData({ label: 'down' });
    const serverConsumer = await serverRecv.consumeData({ dataProducerId: serverWriter.id });
    const clientConsumer = await recvTransport.consumeData({
      id: serverConsumer.id,
      dataProducerId: serverWriter.id,
      sctpStreamParameters: serverConsumer.sctpStreamParameters!,
      label: serverConsumer.label,
      protocol: serverConsumer.protocol,
    });
    await opened(clientConsumer);
    // The client's channel opens as soon as its side of the association is up; the worker
    // drops what it is asked to send before its own side reports connected.
    await sctpConnected(serverRecv);
    const downstream = Buffer.from([9, 8, 7, 0, 200]);
    const delivered = new Promise<ArrayBuffer>((resolve) => clientConsumer.on('message', (data: ArrayBuffer) => resolve(data)));
    serverWriter.send(downstream);
    assert.deepEqual([...new Uint8Array(await delivered)], [...downstream]);

    assert.equal(serverSend.dtlsState, 'connected');
    assert.equal(serverRecv.dtlsState, 'connected');
    assert.equal(serverSend.sctpState, 'connected');
    assert.equal(serverRecv.iceState === 'connected' || serverRecv.iceState === 'completed', true);
    assert.equal(workerDied, undefined);
    assert.equal(worker.died, false);
  });
});

function serverTransport(router: Router): Promise<WebRtcTransport> {
  return router.createWebRtcTransport({
    listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
    enableSctp: true,
  });
}

function transportOptions(t: WebRtcTransport): TransportOptions {
  return {
    id: t.id,
    iceParameters: t.iceParameters,
    iceCandidates: t.iceCandidates,
    dtlsParameters: t.dtlsParameters,
    sctpParameters: t.sctpParameters!,
  };
}

function sctpConnected(t: WebRtcTransport): Promise<void> {
  if (t.sctpState === 'connected') return Promise.resolve();
  return new Promise((resolve) =>
    t.on('sctpstatechange', (state) => {
      if (state === 'connected') resolve();
    }),
  );
}

// 'open' may fire while the test awaits something else, so look at the state first.
function opened(channel: { readyState: RTCDataChannelState; on(event: 'open', listener: () => void): unknown }): Promise<void> {
  if (channel.readyState === 'open') return Promise.resolve();
  return new Promise((resolve) => channel.on('open', () => resolve()));
}
