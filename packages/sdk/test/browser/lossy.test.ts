import { assert } from 'chai';
import { MessageError, type MessageRejectedError, type ReceivedMessage, type Room } from '../../src/index.js';
import { Cleanup, server, sleep, uniqueRoom, until, type TestServer } from './elements/helpers.js';

// Lossy messages between two SDK clients in this page, through the real server karma starts, at
// the SDK's default options. On loopback a lossy message is lost only when a loaded machine's
// buffers overflow (twice in CI's full runs, sizes not recorded), so each size must arrive in a
// few tries: until wave 3 the server's SCTP stack expired unsent every lossy message above
// ~4.6 KB and every burst above that (docs/decisions.md, "Lossy deliveries get a lifetime"),
// which no retry gets past (checked: with that bug put back, 4 of the 8 arrive in 3 rounds).

const SIZES_KIB = [1, 4, 16, 60];
const BURST = 500;
const SILENCE_MS = 500;
// A loaded CI machine (two cores, every suite at once) can take seconds to deliver a burst.

describe('Lossy messages in the browser', function () {
  this.timeout(30_000);
  let testServer: TestServer;
  const cleanup = new Cleanup();

  before(async () => {
    testServer = await server();
  });

  afterEach(() => cleanup.run());

  async function pair(label: string): Promise<{ a: Room; b: Room; atB: ReceivedMessage[] }> {
    const name = uniqueRoom(label);
    const a = await cleanup.join(testServer.wsUrl, name, 'alice');
    const b = await cleanup.join(testServer.wsUrl, name, 'bob');
    await until(() => a.peers.has(b.peerId), 'alice to see bob');
    const atB: ReceivedMessage[] = [];
    b.on('message', (message) => atB.push(message as ReceivedMessage));
    return { a, b, atB };
  }

  it('delivers lossy messages of 1, 4, 16 and 60 KiB, targeted and broadcast', async () => {
    const { a, b, atB } = await pair('lossy-sizes');
    const label = (kib: number, targeted: boolean): string => `${kib} KiB ${targeted ? 'targeted' : 'broadcast'}`;
    const arrived = (): Set<string> => new Set(atB.map((m) => label((m.data as Uint8Array).byteLength / 1024, m.targeted)));
    const all = SIZES_KIB.flatMap((kib) => [label(kib, true), label(kib, false)]);
    // Sent as one burst, then what is missing once more, twice at most. A lossy message larger
    // than a packet is lost whole if any of its packets is, which a loaded machine's UDP buffers
    // can do; the regression this guards against (the worker expiring every lossy message above
    // ~4.6 KB unsent) loses every 16 and 60 KiB message in every round.
    for (let round = 0; round < 3 && arrived().size < all.length; round++) {
      for (const targeted of [true, false]) {
        for (const kib of SIZES_KIB) {
          if (!arrived().has(label(kib, targeted))) await a.send('blob', new Uint8Array(kib * 1024).fill(kib), { reliable: false, to: targeted ? b.peerId : undefined });
        }
      }
      await until(() => arrived().size === all.length, 'every size', 3000).catch(() => undefined);
    }
    assert.deepEqual([...arrived()].sort(), [...all].sort(), `sender ${JSON.stringify(a.stats)}, receiver ${JSON.stringify(b.stats)}`);
    for (const message of atB) {
      const bytes = message.data as Uint8Array;
      assert.isTrue(bytes.every((byte) => byte === bytes.byteLength / 1024), 'the bytes arrive intact');
    }
    assert.equal(a.stats.lossyDropped, 0);
  });

  it('delivers a burst of 500 small lossy messages sent in one tick, each once or refused with an event', async () => {
    const { a, b, atB } = await pair('lossy-burst');
    // Beyond the server's default burst (400) the rate limit refuses, each refusal an event.
    const refused: MessageRejectedError[] = [];
    a.on('messageRejected', (error) => refused.push(error));
    await Promise.all(Array.from({ length: BURST }, (_, i) => a.send('tick', { i }, { reliable: false, to: b.peerId })));
    await until(() => atB.length + refused.length === BURST, `all ${BURST} messages of the burst to arrive or be refused`, 10_000).catch((error: Error) => {
      throw new Error(`${error.message}: ${atB.length} arrived, ${refused.length} refused, ${a.stats.lossyDropped} dropped before sending`);
    });
    await sleep(SILENCE_MS);
    assert.equal(atB.length + refused.length, BURST);
    assert.equal(new Set(atB.map((m) => (m.data as { i: number }).i)).size, atB.length, 'each message once');
    assert.isAtLeast(atB.length, 300);
    assert.isTrue(refused.every((error) => error.code === 'RATE_LIMITED' && error.channel === 'lossy'));
  });

  it('refuses a lossy message above maxLossyMessageSize at send(), naming the limit', async () => {
    const { a, atB } = await pair('lossy-limit');
    const limit = a.limits.maxLossyMessageSize;
    assert.isNumber(limit);
    const error = await a.send('blob', new Uint8Array(limit!), { reliable: false }).then(
      () => assert.fail('the send resolved'),
      (thrown: unknown) => thrown,
    );
    assert.instanceOf(error, MessageError);
    assert.equal((error as MessageError).code, 'MESSAGE_TOO_LARGE');
    assert.match((error as MessageError).message, /maxLossyMessageSize/);
    await sleep(SILENCE_MS);
    assert.deepEqual(atB, []);
  });
});
