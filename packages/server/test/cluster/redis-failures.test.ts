import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { SwitchboardError } from '@switchboard/sdk/protocol';
import type { RedisRoomBus } from '../../src/cluster/redis-room-bus.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { sleep, waitFor } from '../support/test-server.js';
import { FAST, freshPrefix, message, peer, Recorder, redisBus, text } from './bus-support.js';

const NODE_SCRIPT = fileURLToPath(new URL('./bus-node-process.ts', import.meta.url));

/** Starts a bus node in its own process and resolves once its peers are registered. */
function startNodeProcess(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', NODE_SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    // As long as the cluster harness gives a server node: starting from TypeScript sources takes
    // long on a busy test machine. One that never gets ready is not left running.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('bus node process did not get ready'));
    }, 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (!chunk.toString().includes('ready')) return;
      clearTimeout(timer);
      resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`bus node process exited (${code})`)));
  });
}

async function expectUnavailable(operation: Promise<unknown>): Promise<void> {
  const error = await operation.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).to.be.instanceOf(SwitchboardError);
  expect((error as SwitchboardError).code).to.equal('UNAVAILABLE');
}

describe('Redis room bus: failures', function () {
  this.timeout(90_000);
  let redis: TestRedis;
  let buses: RedisRoomBus[] = [];
  let children: ChildProcess[] = [];
  let prefix: string;

  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    await redis?.close();
  });
  beforeEach(() => {
    prefix = freshPrefix();
  });
  afterEach(async () => {
    for (const child of children) child.kill('SIGKILL');
    children = [];
    await redis.start();
    await Promise.all(buses.map((bus) => bus.close()));
    buses = [];
  });

  it('removes a killed node’s peers within its TTL: every surviving node sees each leave once', async () => {
    const [b, c] = await Promise.all([redisBus(redis.url, 'b', prefix), redisBus(redis.url, 'c', prefix)]);
    buses.push(b!, c!);
    const [rb, rc] = [new Recorder(), new Recorder()];
    const channelB = await b!.openRoom('lobby', rb);
    await c!.openRoom('lobby', rc);
    await channelB.putPeer(peer('b1', 'b'));
    const child = await startNodeProcess([redis.url, prefix, 'a', 'lobby', 'a1', 'a2']);
    children.push(child);
    await waitFor(() => rb.joined.length === 3 && rc.joined.length === 3, 'a’s peers to join everywhere');
    await waitFor(() => b!.health().nodes.includes('a'), 'node a to be seen');
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await waitFor(() => rb.left.length === 2 && rc.left.length === 2, 'a’s peers to leave', 10_000);
    const detectedMs = Date.now() - killedAt;
    expect(detectedMs).to.be.below(FAST.nodeTtlMs + 10 * FAST.heartbeatMs + 2000);
    for (const recorder of [rb, rc]) {
      expect(recorder.left.map((l) => l.peer.id).sort()).to.deep.equal(['a1', 'a2']);
      expect(recorder.left.every((l) => l.reason === 'nodeLost')).to.equal(true);
    }
    expect([...channelB.peers().keys()]).to.deep.equal(['b1']);
    await waitFor(() => !b!.health().nodes.includes('a'), 'node a to drop out of the live nodes');
    await sleep(3 * FAST.heartbeatMs);
    expect([rb.left.length, rc.left.length]).to.deep.equal([2, 2]);
  });

  it('fails with UNAVAILABLE while Redis is down, never throws otherwise, and recovers when it is back', async () => {
    const [a, b] = await Promise.all([redisBus(redis.url, 'a', prefix), redisBus(redis.url, 'b', prefix)]);
    buses.push(a!, b!);
    const [ra, rb] = [new Recorder(), new Recorder()];
    const channelA = await a!.openRoom('lobby', ra);
    const channelB = await b!.openRoom('lobby', rb);
    await channelA.putPeer(peer('a1', 'a'));
    await channelA.putPeer(peer('a2', 'a'));
    await channelB.putPeer(peer('b1', 'b'));
    for (let i = 1; i <= 3; i++) await channelA.publishReliable(message('a1', `before${i}`));
    await waitFor(() => rb.reliableMessages.length === 3, 'the first messages');

    await redis.stop();
    await waitFor(() => !a!.health().reachable && !b!.health().reachable, 'both nodes to see Redis gone');
    await expectUnavailable(channelA.publishReliable(message('a1', 'lost')));
    // The node is the authority on its own members: these still happen once Redis is back.
    await expectUnavailable(channelB.putPeer(peer('b2', 'b')));
    await expectUnavailable(channelA.removePeer('a2', 'left'));
    await expectUnavailable(channelA.replay(0));
    await expectUnavailable(a!.openRoom('other', new Recorder()));
    await expectUnavailable(a!.rooms());
    channelA.publishLossy(message('a1', 'local only'));
    expect(ra.lossyMessages.map(text)).to.deep.equal(['local only']);

    // Back, empty (no persistence): nodes register their peers again and numbering goes on.
    await redis.start();
    await a!.ready();
    await b!.ready();
    await waitFor(() => a!.health().nodes.length === 2, 'both nodes registered again');
    expect((await a!.roomPeers('lobby')).map((p) => p.id).sort()).to.deep.equal(['a1', 'b1', 'b2']);
    await waitFor(() => ra.joined.some((p) => p.id === 'b2') && rb.left.some((l) => l.peer.id === 'a2'), 'the changes made during the outage');
    // Numbering goes on above anything given before, with nothing to report lost: both had read it all.
    const seq = await channelB.publishReliable(message('b1', 'after'));
    expect(seq).to.be.above(3);
    await waitFor(() => ra.reliableMessages.length === 4 && rb.reliableMessages.length === 4, 'the message after the outage');
    expect(ra.reliableMessages.map(text)).to.deep.equal(['before1', 'before2', 'before3', 'after']);
    expect([ra.gaps, rb.gaps]).to.deep.equal([[], []]);
    // Nobody else seemed to leave, though Redis came back empty.
    expect(ra.left.map((l) => l.peer.id)).to.deep.equal(['a2']);
    expect(rb.left.map((l) => l.peer.id)).to.deep.equal(['a2']);
  });

  it('tells a node whose reader fell behind which messages were trimmed before it read them', async () => {
    const options = { log: { maxBytes: 60, maxAgeMs: 60_000, minRetainMs: 0 } };
    const [a, b] = await Promise.all([redisBus(redis.url, 'a', prefix, options), redisBus(redis.url, 'b', prefix, options)]);
    buses.push(a, b);
    const rb = new Recorder();
    const channelA = await a.openRoom('lobby', new Recorder());
    await b.openRoom('lobby', rb);
    await channelA.publishReliable(message('x', 'first'));
    await waitFor(() => rb.reliableMessages.length === 1, 'the first message at b');
    // Cut b's reader off; it reconnects after a short delay, by which time the log moved on.
    const admin = new Redis(redis.url);
    const clients = String(await admin.call('CLIENT', 'LIST'));
    const readerId = /id=(\d+) .*name=switchboard:b:reader/.exec(clients)?.[1];
    expect(readerId).to.be.a('string');
    await admin.call('CLIENT', 'KILL', 'ID', readerId!);
    for (let i = 2; i <= 11; i++) await channelA.publishReliable(message('x', `m${String(i).padStart(2, '0')}-${'y'.repeat(10)}`));
    admin.disconnect();
    await waitFor(() => rb.reliableMessages.at(-1)?.seq === 11, 'b to read again');
    expect(rb.gaps).to.have.length(1);
    const [from, to] = rb.gaps[0]!;
    expect(from).to.equal(2);
    const delivered = rb.reliableMessages.map((m) => m.seq);
    expect(delivered).to.deep.equal([1, ...Array.from({ length: 11 - to }, (_, i) => to + 1 + i)]);
  });
});
