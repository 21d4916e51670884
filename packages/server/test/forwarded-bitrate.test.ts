import assert from 'node:assert/strict';
import type { WebRtcTransport } from 'mediasoup/types';
import { ForwardedBitrate } from '../src/metrics/forwarded-bitrate.js';

/** `count` transports sending 1,000 bit/s each, counting the stats requests and the most at once. */
function transports(count: number): { list: WebRtcTransport[]; requests: () => number; mostAtOnce: () => number } {
  let requests = 0;
  let inFlight = 0;
  let most = 0;
  const list = Array.from({ length: count }, () => ({
    getStats: async () => {
      requests++;
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return [{ sendBitrate: 1_000 }];
    },
  })) as unknown as WebRtcTransport[];
  return { list, requests: () => requests, mostAtOnce: () => most };
}

describe('ForwardedBitrate', () => {
  it('sums every transport, asking at most 16 at a time, and scrapes meanwhile share the refresh', async () => {
    const t = transports(100);
    const gauge = new ForwardedBitrate(() => t.list);
    const [a, b] = await Promise.all([gauge.read(), gauge.read()]);
    assert.deepEqual([a, b], [100_000, 100_000]);
    assert.equal(t.requests(), 100, 'one request per transport for both reads');
    assert.ok(t.mostAtOnce() <= 16, `${t.mostAtOnce()} requests at once`);
  });

  it('answers from the last sum while it is fresh', async () => {
    const t = transports(10);
    const gauge = new ForwardedBitrate(() => t.list);
    await gauge.read();
    assert.equal(await gauge.read(), 10_000);
    assert.equal(t.requests(), 10, 'the second read asked nothing');
  });
});
