import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_SECRETS } from '../src/config.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const AUTH = { Authorization: `Bearer ${DEV_SECRETS.apiSecret}` };

/** Reads Server-Sent Events from `response` until `count` events arrived. */
async function readEvents(response: Response, count: number): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: { event: string; data: Record<string, unknown> }[] = [];
  let buffered = '';
  while (events.length < count) {
    const { done, value } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? '';
      events.push({ event, data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as Record<string, unknown> });
    }
  }
  await reader.cancel();
  return events;
}

/** The server's console hooks, without a browser: the flag, the page's files and the sample stream. */
describe('console routes (--console)', function () {
  this.timeout(30000);
  let dir: string;
  let server: TestServer;

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'sb-console-dir-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>console</title>');
    server = await startTestServer(['--console', '--console-dir', dir]);
  });

  after(async function () {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses to start with --console and no built console, with CONFIG_INVALID', async function () {
    await assert.rejects(startTestServer(['--console', '--console-dir', join(dir, 'missing')]), { code: 'CONFIG_INVALID', message: /no built console/ });
  });

  it('serves the page under /console/, framing refused', async function () {
    const redirect = await fetch(`${server.server.url}/console`, { redirect: 'manual' });
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get('location'), '/console/');
    const page = await fetch(`${server.server.url}/console/`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.match(await page.text(), /<title>console<\/title>/);
  });

  it('streams the node\u2019s /metrics series once a second to every viewer, the same sample to each', async function () {
    const open = () => fetch(`${server.server.url}/api/console/samples`, { headers: AUTH });
    const [first, second] = await Promise.all([open(), open()]);
    assert.equal(first!.headers.get('content-type'), 'text/event-stream');
    const [a, b] = await Promise.all([readEvents(first!, 3), readEvents(second!, 3)]);
    assert.equal(a[0]?.event, 'hello');
    assert.equal(a[0]?.data.nodeId, server.server.bus.nodeId);
    const samples = (events: typeof a) => events.filter((e) => e.event === 'sample').map((e) => e.data as { t: number; v: Record<string, number> });
    assert.ok(samples(a).length >= 1);
    const common = samples(a).find((sample) => samples(b).some((other) => other.t === sample.t));
    assert.ok(common, 'both viewers got the same sample');
    const text = await (await fetch(`${server.server.url}/metrics`)).text();
    for (const key of ['switchboard_rooms', 'switchboard_cluster_nodes']) {
      assert.equal(common.v[key], Number(new RegExp(`^${key} (\\S+)$`, 'm').exec(text)?.[1]), key);
    }
  });

  it('refuses the stream without the API secret, and counts the refusal', async function () {
    const response = await fetch(`${server.server.url}/api/console/samples`);
    assert.equal(response.status, 401);
    assert.deepEqual(((await response.json()) as { error: { code: string } }).error.code, 'PERMISSION_DENIED');
    assert.equal(server.server.metrics.value('switchboard_http_requests_total', { route: '/api/console/samples', status: '401' }), 1);
  });

  it('lists the node’s load on /api/console/nodes with the API secret, and refuses it without', async function () {
    const refused = await fetch(`${server.server.url}/api/console/nodes`, { headers: { Authorization: 'Bearer wrong' } });
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as { error: { message: string } }).error.message, 'wrong API secret');
    const response = await fetch(`${server.server.url}/api/console/nodes`, { headers: AUTH });
    assert.equal(response.status, 200);
    const { nodes } = (await response.json()) as { nodes: { node: string; rooms: number; peers: number; rssBytes: number; cpuPercent: number; workers: { alive: number; total: number } }[] };
    assert.equal(nodes.length, 1);
    const [node] = nodes;
    assert.equal(node?.node, server.server.bus.nodeId);
    assert.deepEqual([node?.rooms, node?.peers, node?.workers], [0, 0, { alive: 1, total: 1 }]);
    assert.ok((node?.rssBytes ?? 0) > 10 * 1024 * 1024, 'RSS is the process’s');
    assert.ok(Number.isFinite(node?.cpuPercent));
  });
});
