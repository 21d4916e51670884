import assert from 'node:assert/strict';
import { get } from 'node:http';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { Logger } from '../src/log.js';
import { startServer, type SwitchboardServer } from '../src/server.js';

describe('server', function () {
  this.timeout(20000);
  let server: SwitchboardServer;
  let tempRoot: string;
  const logLines: string[] = [];

  before(async () => {
    tempRoot = await mkdtemp(join(tmpdir(), 'sb-static-'));
    const staticDir = join(tempRoot, 'public');
    await mkdir(staticDir);
    await writeFile(join(tempRoot, 'secret.txt'), 'not for the web');
    await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>demo</title>');
    await mkdir(join(staticDir, 'assets'));
    await writeFile(join(staticDir, 'assets', 'app-1234.js'), 'console.log(1)');
    const config = loadConfig(['--dev', '--port', '0', '--rtc-port', '0', '--rtc-lan-ip', 'none', '--workers', '1', '--static-dir', staticDir], {});
    server = await startServer(config, new Logger('info', {}, (line) => logLines.push(line)));
  });

  after(async () => {
    await server?.close();
    await rm(tempRoot, { recursive: true, force: true });
  });

  it('reports health with the native WebSocket engine and a live worker', async () => {
    const response = await fetch(`${server.url}/healthz`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { status: string; uws: string; workers: { alive: boolean }[] };
    assert.equal(body.status, 'ok');
    assert.equal(body.uws, server.uwsRelease);
    // As docs/deploy.md shows it.
    assert.deepEqual(Object.keys(body), ['status', 'version', 'uptimeSeconds', 'uws', 'node', 'workers', 'cluster']);
    assert.match(body.uws, /^@based\/uws@\d+\.\d+\.\d+$/);
    assert.deepEqual(body.workers.map((w) => w.alive), [true]);
  });

  it('serves the demo page, hashed assets as immutable, and client routes as index.html', async () => {
    const page = await fetch(`${server.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await page.text(), /<title>demo<\/title>/);

    const asset = await fetch(`${server.url}/assets/app-1234.js`);
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);

    const route = await fetch(`${server.url}/rooms/lobby`);
    assert.match(await route.text(), /<title>demo<\/title>/);
  });

  it('answers 404 for missing files and for paths that try to leave the static root', async () => {
    // Raw paths: fetch() would normalise the dot segments away before sending them.
    for (const path of ['/missing.js', '/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%E0%A4%A.js']) {
      const { status, body } = await rawGet(server.port, path);
      assert.equal(status, 404, path);
      assert.doesNotMatch(body, /not for the web/);
    }
  });

  it('writes structured JSON logs naming the uWebSockets.js release and the Node version', () => {
    const entries = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(entries.some((e) => e.msg === 'uWebSockets.js loaded' && e.release === server.uwsRelease && e.node === process.version));
    assert.ok(entries.every((e) => typeof e.time === 'string' && typeof e.level === 'string'));
    // On loopback alone, the server says that Firefox cannot connect.
    assert.ok(entries.some((e) => e.level === 'warn' && /loopback addresses only: Firefox will not connect/.test(String(e.msg))));
  });

  it('listens for WebRTC on a second address (--rtc-lan-ip) and logs both', async () => {
    const lines: string[] = [];
    const config = loadConfig(['--dev', '--port', '0', '--rtc-port', '0', '--rtc-lan-ip', '127.0.0.2', '--workers', '1'], {});
    const second = await startServer(config, new Logger('info', {}, (line) => lines.push(line)));
    try {
      const entries = lines.map((line) => JSON.parse(line) as { msg: string; addresses?: string[] });
      // Both are loopback addresses here (tests reach no other), so it still warns, naming both.
      const warning = entries.find((e) => /WebRTC is on loopback addresses only/.test(e.msg));
      assert.deepEqual(warning?.addresses, ['127.0.0.1', '127.0.0.2']);
      const health = (await (await fetch(`${second.url}/healthz`)).json()) as { workers: { alive: boolean }[] };
      assert.deepEqual(health.workers.map((w) => w.alive), [true], 'the worker runs with both addresses');
    } finally {
      await second.close();
    }
  });
});

describe('config', () => {
  it('prefers flags over environment over defaults', () => {
    const config = loadConfig(['--port=9000', '--dev'], { SWITCHBOARD_PORT: '7000', SWITCHBOARD_WORKERS: '3' });
    assert.equal(config.port, 9000);
    assert.equal(config.workers, 3);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(loadConfig(['--dev', '--max-incoming-bitrate', '1500000'], {}).maxIncomingBitrate, 1_500_000);
    const media = loadConfig(['--dev', '--key-frame-request-delay', '0'], { SWITCHBOARD_INITIAL_OUTGOING_BITRATE: '3000000' });
    assert.equal(media.keyFrameRequestDelayMs, 0);
    assert.equal(media.initialOutgoingBitrate, 3_000_000);
  });

  it('rejects bad values with CONFIG_INVALID and a message naming the option', () => {
    assert.throws(() => loadConfig(['--dev', '--port', 'abc'], {}), { code: 'CONFIG_INVALID', message: /--port/ });
    assert.throws(() => loadConfig(['--dev', '--nope'], {}), { code: 'CONFIG_INVALID', message: /unknown option/ });
    assert.throws(() => loadConfig(['--dev'], { SWITCHBOARD_LOG_LEVEL: 'loud' }), { code: 'CONFIG_INVALID' });
  });
});

function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}
