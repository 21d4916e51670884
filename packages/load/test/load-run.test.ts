import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startTestServer, type TestServer } from '../../server/test/support/test-server.js';
import { buildResult } from '../src/build-result.js';
import { runLoad } from '../src/coordinator.js';
import type { LoadError } from '../src/errors.js';
import { htmlReport } from '../src/html-report.js';
import { parseOptions } from '../src/options.js';

// End to end: real load processes (forked, each with its wrtc peers) against a real server.
describe('switchboard-load against a server', function () {
  this.timeout(300_000);
  let server: TestServer;

  before(async () => (server = await startTestServer()));
  after(() => server?.close());

  it('runs a live room: 20 viewers all join and receive every comment of 3 commenters exactly once', async () => {
    const options = parseOptions([
      '--url', server.wsUrl, '--secret', server.config.tokenSecret,
      '--viewers', '20', '--commenters', '3', '--comment-rate', '6', '--duration', '8',
      '--processes', '2', '--storm', '4', '--storm-window', '3', '--quiet',
    ]);
    const result = buildResult(await runLoad(options));
    // What --json writes, through JSON as it would be read back.
    const json = JSON.parse(JSON.stringify(result)) as typeof result;
    assert.deepEqual(json.problems, []);
    assert.equal(json.passed, true);
    assert.deepEqual([json.joins.paced.joined, json.joins.paced.failed], [23, 0]);
    assert.deepEqual([json.joins.storm.joined, json.joins.storm.failed], [4, 0]);
    assert.equal(json.delivery.senders, 3);
    assert.ok(json.delivery.sent >= 30, `comments sent: ${json.delivery.sent}`);
    assert.equal(json.delivery.receivers, 24);
    assert.equal(json.delivery.exactlyOnce, 24);
    assert.deepEqual([json.delivery.missing, json.delivery.duplicates], [0, 0]);
    // The 20 viewers were there from the start: each has every comment.
    for (const receiver of json.delivery.perReceiver.filter((r) => r.identity.startsWith('viewer-'))) {
      assert.equal(receiver.expected, json.delivery.sent, receiver.identity);
      assert.equal(receiver.received, json.delivery.sent, receiver.identity);
    }
    assert.ok(json.delivery.latencyMs.count >= json.delivery.sent * 20);
    assert.ok(json.server && json.server.node.peakRssBytes! > 0 && json.server.workers.peakRssBytes! > 0, 'server memory from /metrics');
    assert.equal(typeof json.server.udpDrops, 'number', "the workers' UDP drops from /metrics");
    assert.ok(json.clients.samples.length > 0, 'load clients measured');
    const html = htmlReport(result);
    assert.equal((html.match(/<svg /g) ?? []).length, 5);
    assert.match(html, /PASSED/);
  });

  it('runs 1:1 pairs: each peer receives every message of the other exactly once', async () => {
    const options = parseOptions(['--url', server.wsUrl, '--secret', server.config.tokenSecret, '--scenario', 'pairs', '--pairs', '3', '--pair-rate', '4', '--duration', '4', '--processes', '2', '--quiet']);
    const result = buildResult(await runLoad(options));
    assert.deepEqual(result.problems, []);
    assert.equal(result.delivery.receivers, 6);
    assert.equal(result.delivery.exactlyOnce, 6);
    for (const receiver of result.delivery.perReceiver) assert.ok(receiver.expected >= 10 && receiver.received === receiver.expected, receiver.identity);
  });

  it('stops with AUTH_FAILED on a wrong secret, saying what to check', async () => {
    const options = parseOptions(['--url', server.wsUrl, '--secret', 'not-the-server-secret-0123456789', '--viewers', '3', '--commenters', '0', '--comment-rate', '0', '--processes', '1', '--quiet']);
    await assert.rejects(runLoad(options), (error: LoadError) => error.code === 'AUTH_FAILED' && /INVALID_TOKEN/.test(error.message) && /--secret/.test(error.message));
  });

  it('stops with UNREACHABLE when nothing listens at the URL', async () => {
    const options = parseOptions(['--url', `http://127.0.0.1:${await closedPort()}`, '--secret', server.config.tokenSecret, '--quiet']);
    await assert.rejects(runLoad(options), (error: LoadError) => error.code === 'UNREACHABLE' && /ECONNREFUSED/.test(error.message));
  });

  it('stops with CAPS_HIT when the server\'s per-address cap refuses peers', async () => {
    const capped = await startTestServer(['--max-connections-per-ip', '2']);
    try {
      const options = parseOptions(['--url', capped.wsUrl, '--secret', capped.config.tokenSecret, '--viewers', '5', '--commenters', '0', '--comment-rate', '0', '--processes', '1', '--quiet']);
      await assert.rejects(runLoad(options), (error: LoadError) => error.code === 'CAPS_HIT' && /--max-connections-per-ip/.test(error.message));
    } finally {
      await capped.close();
    }
  });
});

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
