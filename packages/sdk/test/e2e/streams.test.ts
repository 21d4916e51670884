import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { StreamError, type IncomingStream, type Room, type StreamProgress } from '../../src/index.js';
import { ClusterFixture } from './cluster-peers.js';
import { FlakyNetwork } from './flaky-network.js';
import { SdkFixture, sleep, waitFor, type TestPeer } from './sdk-peers.js';

type Files = { file: null; note: null };

// How long "provably nothing" waits after what did arrive.
const QUIET_MS = 500;
// The server's limit on one stream in this suite.
const MAX_STREAM_BYTES = 5 * 1024 * 1024;
// The room's replay log: less than the suite's earlier streams, more than the reconnect test's.
const REPLAY_BYTES = 3 * 1024 * 1024;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The next stream `room` receives. */
function nextStream(room: Room<Files>): Promise<IncomingStream> {
  return new Promise((resolve) => room.once('stream', resolve));
}

/** What reading `stream` to its end rejected with (fails the test when it completes). */
async function readError(stream: IncomingStream): Promise<StreamError> {
  const error = await stream.bytes().then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof StreamError, `expected a StreamError, got ${String(error)}`);
  return error;
}

/** A source that yields `pieces` chunks of `size` bytes, one every `everyMs`, until stopped. */
async function* slowSource(pieces: number, size: number, everyMs: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < pieces; i++) {
    yield new Uint8Array(size).fill(i % 256);
    await sleep(everyMs);
  }
}

describe('SDK end to end: streams between Node peers', function () {
  this.timeout(60000);
  let f: SdkFixture;
  let a: TestPeer<Files>;
  let b: TestPeer<Files>;
  let c: TestPeer<Files>;

  before(async () => {
    f = await SdkFixture.start(['--workers', '2', '--worker-placement', 'spread', '--reconnect-grace', '10', '--max-stream-bytes', String(MAX_STREAM_BYTES), '--replay-buffer-bytes', String(REPLAY_BYTES)]);
    a = await f.join<Files>('streams', 'alice');
    b = await f.join<Files>('streams', 'bob');
    c = await f.join<Files>('streams', 'carol');
    await waitFor(() => [a, b, c].every((p) => p.room.peers.size === 2), 'everyone to see everyone');
  });
  after(() => f.close());

  it('streams 3 MB of bytes to the room in many chunks, with metadata and progress on both sides', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 1234);
    const atB = nextStream(b.room);
    const atC = nextStream(c.room);
    const handle = a.room.sendStream('file', data, { name: 'blob.bin', mime: 'application/octet-stream' });
    const sent: StreamProgress[] = [];
    handle.on('progress', (progress) => sent.push(progress));
    const [streamB, streamC] = await Promise.all([atB, atC]);
    const received: number[] = [];
    streamB.on('progress', ({ bytes }) => received.push(bytes));
    assert.deepEqual(
      { type: streamB.type, from: streamB.from, size: streamB.size, name: streamB.name, mime: streamB.mime, targeted: streamB.targeted },
      { type: 'file', from: a.room.peerId, size: data.byteLength, name: 'blob.bin', mime: 'application/octet-stream', targeted: false },
    );
    const [bytesB, bytesC] = await Promise.all([streamB.bytes(), streamC.bytes(), handle.done]);
    assert.equal(sha256(bytesB), sha256(data));
    assert.equal(sha256(bytesC!), sha256(data));
    assert.ok(sent.length > 40, `the sender reported progress per chunk (${sent.length} reports)`);
    assert.deepEqual(sent.at(-1), { bytes: data.byteLength, total: data.byteLength });
    assert.ok(sent.every((p, i) => i === 0 || p.bytes > sent[i - 1]!.bytes), 'sender progress only grows');
    assert.equal(received.at(-1), data.byteLength);
    assert.equal(handle.bytesSent, data.byteLength);
  });

  it('streams text, read through a ReadableStream', async () => {
    const text = 'Grüße, 世界! '.repeat(20000);
    const atB = nextStream(b.room);
    const handle = a.room.sendStream('note', text, { to: b.room.peerId });
    const stream = await atB;
    const reader = stream.readable().getReader();
    const decoder = new TextDecoder();
    let read = '';
    for (let next = await reader.read(); !next.done; next = await reader.read()) read += decoder.decode(next.value, { stream: true });
    read += decoder.decode();
    await handle.done;
    assert.equal(read, text);
    assert.equal(stream.targeted, true);
  });

  it('streams an async iterable of strings and bytes whose size is unknown in advance', async () => {
    async function* pieces(): AsyncIterable<Uint8Array | string> {
      for (let i = 0; i < 50; i++) {
        yield `piece ${i};`;
        yield new Uint8Array(10000).fill(i);
      }
    }
    const atB = nextStream(b.room);
    const handle = a.room.sendStream('file', pieces(), { to: b.room.peerId });
    const stream = await atB;
    assert.equal(stream.size, undefined);
    const chunks: Uint8Array[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    await handle.done;
    const whole = Buffer.concat(chunks);
    const expected = Buffer.concat(Array.from({ length: 50 }, (_, i) => [Buffer.from(`piece ${i};`), Buffer.alloc(10000, i)]).flat());
    assert.equal(sha256(whole), sha256(expected));
  });

  it('streams a synchronous iterable, with its size given, to its one target only', async () => {
    const seenByC: IncomingStream[] = [];
    const stop = c.room.on('stream', (stream) => seenByC.push(stream));
    const parts = [new Uint8Array(70000).fill(1), new Uint8Array(70000).fill(2)];
    const atB = nextStream(b.room);
    const handle = a.room.sendStream('file', parts, { to: [b.room.peerId], size: 140000 });
    const stream = await atB;
    assert.equal(stream.size, 140000);
    assert.equal((await stream.bytes()).byteLength, 140000);
    await handle.done;
    await sleep(QUIET_MS);
    stop();
    assert.deepEqual(seenByC, [], 'the third peer saw nothing of a targeted stream');
  });

  it('cancels from the sender: the receiver gets CANCELLED by the sender, after the chunks that came', async () => {
    const atB = nextStream(b.room);
    const handle = a.room.sendStream('file', slowSource(1000, 20000, 20), { to: b.room.peerId });
    const stream = await atB;
    await waitFor(() => stream.bytesReceived >= 100000, 'some chunks');
    handle.cancel('changed my mind');
    const error = await readError(stream);
    assert.deepEqual([error.code, error.by, error.message], ['CANCELLED', 'sender', 'changed my mind']);
    const done = await handle.done.then(() => undefined, (e: unknown) => e);
    assert.ok(done instanceof StreamError && done.code === 'CANCELLED');
  });

  it('cancels from the receiver: its reader stops, and the sender of a targeted stream stops too', async () => {
    const atB = nextStream(b.room);
    const handle = a.room.sendStream('file', slowSource(1000, 20000, 20), { to: b.room.peerId });
    const stoppedBy: string[] = [];
    handle.on('stopped', ({ peerId }) => stoppedBy.push(peerId));
    const stream = await atB;
    await waitFor(() => stream.bytesReceived >= 100000, 'some chunks');
    const reading = readError(stream);
    stream.cancel();
    const error = await reading;
    assert.deepEqual([error.code, error.by], ['CANCELLED', 'receiver']);
    const done = await handle.done.then(() => undefined, (e: unknown) => e);
    assert.ok(done instanceof StreamError, `done rejected with ${String(done)}`);
    assert.deepEqual([done.code, done.by], ['CANCELLED', 'receiver']);
    assert.deepEqual(stoppedBy, [b.room.peerId]);
    const sentAtStop = handle.bytesSent;
    await sleep(QUIET_MS);
    assert.equal(handle.bytesSent, sentAtStop, 'nothing more was sent');
  });

  it('fails the stream with PEER_LEFT when its sender leaves mid-stream', async () => {
    const leaver = await f.join<Files>('streams', 'leaver');
    await waitFor(() => b.room.peers.has(leaver.room.peerId), 'b to see the leaver');
    const atB = nextStream(b.room);
    leaver.room.sendStream('file', slowSource(1000, 20000, 20), { to: b.room.peerId });
    const stream = await atB;
    await waitFor(() => stream.bytesReceived >= 60000, 'some chunks');
    await leaver.room.leave();
    const error = await readError(stream);
    assert.equal(error.code, 'PEER_LEFT');
    assert.ok(stream.bytesReceived >= 60000);
  });

  // The sender received nothing since it joined, and the room carried more than its replay log
  // holds before that: it resumes from where it joined.
  it('carries a stream across the sender reconnecting mid-stream, exactly once and in order', async () => {
    const network = new FlakyNetwork();
    const flaky = await f.join<Files>('streams', 'flaky', { environment: network.environment, reconnect: { timeoutMs: 20000 } });
    await waitFor(() => b.room.peers.has(flaky.room.peerId), 'b to see flaky');
    const data = randomBytes(2 * 1024 * 1024);
    async function* paced(): AsyncIterable<Uint8Array> {
      for (let offset = 0; offset < data.byteLength; offset += 50000) {
        yield data.subarray(offset, offset + 50000);
        await sleep(5);
      }
    }
    const atB = nextStream(b.room);
    const handle = flaky.room.sendStream('file', paced(), { to: b.room.peerId });
    const stream = await atB;
    const reading = stream.bytes();
    await waitFor(() => stream.bytesReceived >= 300000, 'some chunks before the cut');
    network.cut();
    await waitFor(() => flaky.room.connectionState === 'reconnecting', 'flaky to notice the drop');
    assert.equal(handle.settled, false, 'the drop came mid-stream');
    await sleep(1000);
    network.restore();
    const [received] = await Promise.all([reading, handle.done]);
    assert.equal(sha256(received), sha256(data));
    await flaky.room.leave();
  });

  it('refuses a source it cannot read, before anything is sent', () => {
    assert.throws(() => a.room.sendStream('file', 42 as unknown as string), { name: 'MessageError', code: 'MALFORMED' });
  });
});

// More than the limit passes through this room as fast as it can be sent: a receiver that falls
// behind resumes from its last checkpoint, which trails by what is queued towards the worker, so
// the log is kept larger than the whole stream and the test is about the limit alone.
describe('SDK end to end: a stream over the server limit', function () {
  this.timeout(60000);
  let f: SdkFixture;
  let a: TestPeer<Files>;
  let b: TestPeer<Files>;

  before(async () => {
    f = await SdkFixture.start(['--max-stream-bytes', String(MAX_STREAM_BYTES), '--replay-buffer-bytes', String(4 * MAX_STREAM_BYTES)]);
    a = await f.join<Files>('limit', 'alice');
    b = await f.join<Files>('limit', 'bob');
    await waitFor(() => a.room.peers.size === 1 && b.room.peers.size === 1, 'both to see each other');
  });
  after(() => f.close());

  it('ends a stream over the server limit with STREAM_LIMIT on both sides', async () => {
    async function* endless(): AsyncIterable<Uint8Array> {
      for (;;) yield new Uint8Array(60000).fill(3);
    }
    const atB = nextStream(b.room);
    const handle = a.room.sendStream('file', endless(), { to: b.room.peerId });
    const error = await readError(await atB);
    assert.deepEqual([error.code, error.by], ['STREAM_LIMIT', 'server']);
    const done = await handle.done.then(() => undefined, (e: unknown) => e);
    assert.ok(done instanceof StreamError, `done rejected with ${String(done)}`);
    assert.deepEqual([done.code, done.by], ['STREAM_LIMIT', 'server']);
    assert.ok(handle.bytesSent <= MAX_STREAM_BYTES + 2 * 1024 * 1024 + 60000, `the sender stopped soon (${handle.bytesSent} bytes)`);
  });
});

describe('SDK end to end: a stream across cluster nodes', function () {
  this.timeout(90000);
  this.retries(2);
  let f: ClusterFixture;

  before(async function () {
    this.timeout(90_000);
    f = await ClusterFixture.start(2);
  });
  after(() => f.close());

  it('carries 2 MB through the Redis room bus unchanged', async () => {
    const a = await f.join<Files>('cluster-streams', 'alice');
    const b = await f.join<Files>('cluster-streams', 'bob');
    await waitFor(() => a.room.peers.size === 1 && b.room.peers.size === 1, 'peers to see each other');
    assert.equal(f.nodesSpanned('cluster-streams'), 2, 'the room spans both nodes');
    const data = randomBytes(2 * 1024 * 1024);
    const atB = nextStream(b.room);
    const handle = a.room.sendStream('file', data);
    const stream = await atB;
    const [received] = await Promise.all([stream.bytes(), handle.done]);
    assert.equal(sha256(received), sha256(data));
  });
});
