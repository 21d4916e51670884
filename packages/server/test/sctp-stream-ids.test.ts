import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as mediasoup from 'mediasoup';
import type { DataProducer, Router, WebRtcTransport, Worker } from 'mediasoup/types';
import { SctpStreamIds, useCompactSctpStreamIds } from '../src/media/sctp-stream-ids.js';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

/** Bytes of ArrayBuffers the process holds, after what is pending has run and a full collection. */
async function arrayBufferBytes(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 50));
  collectGarbage();
  return process.memoryUsage().arrayBuffers;
}

describe('compact SCTP stream IDs for DataConsumers', function () {
  this.timeout(30000);

  let worker: Worker;
  let router: Router;
  let source: DataProducer;

  before(async () => {
    worker = await mediasoup.createWorker({ logLevel: 'error' });
    router = await worker.createRouter({ mediaCodecs: [] });
    source = await (await router.createDirectTransport()).produceData({ label: 'source' });
  });

  after(() => worker?.close());

  const transport = (compact: boolean) =>
    router
      .createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: 0 }], enableSctp: true })
      .then((created) => {
        if (compact) assert.ok(useCompactSctpStreamIds(created), "mediasoup's Transport still allocates stream IDs itself");
        return created;
      });
  const consume = (on: WebRtcTransport) => on.consumeData({ dataProducerId: source.id });

  it("hands out the IDs mediasoup's own allocation does, in its order", async () => {
    const sequences = await Promise.all(
      [false, true].map(async (compact) => {
        const on = await transport(compact);
        const first = [await consume(on), await consume(on), await consume(on)];
        first[1]!.close();
        const again = await consume(on);
        const ids = [...first, again].map((consumer) => consumer.sctpStreamParameters?.streamId);
        on.close();
        return ids;
      }),
    );
    assert.deepEqual(sequences[0], [0, 1, 2, 3], "mediasoup's order: the next ID after the last, not the one just freed");
    assert.deepEqual(sequences[1], sequences[0]);
  });

  it('frees the ID of a consumer that its producer, its transport or a call closed', async () => {
    const on = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: 0 }], enableSctp: true });
    const ids = useCompactSctpStreamIds(on);
    assert.ok(ids, "mediasoup's Transport still allocates stream IDs itself");
    const producer = await (await router.createDirectTransport()).produceData({ label: 'short-lived' });
    const closedByProducer = await on.consumeData({ dataProducerId: producer.id });
    const closedByCall = await consume(on);
    await consume(on);
    assert.equal(ids.size, 3);
    const gone = new Promise((resolve) => closedByProducer.observer.once('close', () => resolve(undefined)));
    producer.close();
    await gone;
    closedByCall.close();
    assert.equal(ids.size, 1);
    on.close();
    assert.equal(ids.size, 0, 'closing the transport closed the last one');
  });

  it('takes the next free ID after the last one, wraps around at 65,535 and says when none is left', () => {
    const ids = new SctpStreamIds();
    assert.deepEqual([ids.take(), ids.take(), ids.take()], [0, 1, 2]);
    ids.release(1);
    assert.equal(ids.take(), 3, 'not the ID just freed');
    for (let id = 4; id < 65535; id++) ids.take();
    assert.equal(ids.take(), 1, 'after 65,534 it wraps to the first free ID');
    assert.throws(() => ids.take(), /no sctpStreamId available/);
    ids.release(40000);
    assert.equal(ids.take(), 40000);
  });

  it('costs no 64 KiB map per transport', async () => {
    // Enough transports that what earlier tests of the same process free or keep meanwhile
    // (a few MB at most) cannot hide mediasoup's map or fake it: 200 maps are 13 MB.
    const count = 200;
    const map = count * 65535;
    const grow = async (compact: boolean) => {
      const before = await arrayBufferBytes();
      const transports = await Promise.all(Array.from({ length: count }, () => transport(compact)));
      for (const on of transports) await consume(on);
      const grown = (await arrayBufferBytes()) - before;
      for (const on of transports) on.close();
      return grown;
    };
    const withMap = await grow(false);
    const compact = await grow(true);
    assert.ok(withMap >= map * 0.7, `mediasoup's map shows in the measurement (${withMap} bytes for ${count} transports)`);
    assert.ok(compact <= map * 0.3, `compact IDs hold ${compact} bytes for ${count} transports`);
  });
});
