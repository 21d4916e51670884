import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

import { publishedWorkerUrl } from '../scripts/mediasoup-worker/download-worker.mjs';
import { ensureWorker } from '../scripts/mediasoup-worker/ensure-worker.mjs';

const VERSION = '3.27.1';

// A "binary" runs here when its content starts with VALID (as in worker-install.test.ts).
const fakeValidate = (file: string) => fs.readFileSync(file, 'utf8').startsWith('VALID');

function write(file: string, content: string) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

/** A release asset as mediasoup publishes it: a .tgz holding the one file mediasoup-worker. */
function asset(dir: string, content: string): Buffer {
  const staging = fs.mkdtempSync(path.join(dir, 'asset-'));
  write(path.join(staging, 'mediasoup-worker'), content);
  execFileSync('tar', ['-czf', path.join(staging, 'asset.tgz'), '-C', staging, 'mediasoup-worker']);
  return fs.readFileSync(path.join(staging, 'asset.tgz'));
}

/** An HTTP server on loopback standing in for the release download; `hang` never answers. */
async function releaseServer(reply: { status: number; body?: Buffer } | 'hang'): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    if (reply === 'hang') return;
    res.writeHead(reply.status).end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${VERSION}/mediasoup-worker.tgz`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('mediasoup worker install: the published worker first, the source build as fallback', function () {
  this.timeout(20_000);
  let root: string;
  let mediasoupDir: string;
  let target: string;
  let builds: number;
  let logs: string[];

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-download-'));
    mediasoupDir = path.join(root, 'node_modules', 'mediasoup');
    write(path.join(mediasoupDir, 'package.json'), JSON.stringify({ name: 'mediasoup', version: VERSION }));
    const recipeDir = path.join(root, 'recipe');
    write(path.join(recipeDir, 'build-worker.sh'), 'echo build\n');
    write(path.join(recipeDir, 'patch-meson.py'), 'print("patch")\n');
    write(path.join(recipeDir, 'compat', 'srtp.h'), '/* srtp */\n');
    target = path.join(mediasoupDir, 'worker', 'out', 'Release', 'mediasoup-worker');
    builds = 0;
    logs = [];
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  function run(url: string, timeoutMs = 1000) {
    return ensureWorker({
      mediasoupDir,
      cacheRoot: path.join(root, 'cache'),
      recipeDir: path.join(root, 'recipe'),
      validate: fakeValidate,
      download: { url, timeoutMs },
      log: (line) => logs.push(line),
      build: async ({ outFile }) => {
        builds += 1;
        write(outFile, 'VALID built from source');
      },
    });
  }

  it('installs the published worker when it downloads and runs here, without building', async () => {
    const release = await releaseServer({ status: 200, body: asset(root, 'VALID published') });
    try {
      const result = await run(release.url);
      assert.deepEqual(result, { decision: 'download', binary: target });
      assert.equal(fs.readFileSync(target, 'utf8'), 'VALID published');
      assert.equal(fs.statSync(target).mode & 0o777, 0o755);
      assert.equal(builds, 0);
      assert.deepEqual(fs.readdirSync(path.dirname(target)), ['mediasoup-worker'], 'no staging file left');
    } finally {
      await release.close();
    }
  });

  it('builds from source when the download never answers, after a bounded wait', async () => {
    const release = await releaseServer('hang');
    try {
      const started = Date.now();
      const result = await run(release.url, 800);
      const waited = Date.now() - started;
      assert.equal(result.decision, 'build');
      assert.equal(builds, 1);
      assert.ok(waited >= 700 && waited < 5000, `waited ${waited} ms for an 800 ms limit`);
      assert.ok(logs.some((line) => /no usable published worker \(no answer within 0\.8 s.*building from source instead/.test(line)), logs.join('\n'));
    } finally {
      await release.close();
    }
  });

  it('builds from source when there is no published worker for this platform (404) or nothing listens', async () => {
    const release = await releaseServer({ status: 404 });
    const url = release.url;
    try {
      assert.equal((await run(url)).decision, 'build');
      assert.ok(logs.some((line) => line.includes('no usable published worker (HTTP 404')), logs.join('\n'));
    } finally {
      await release.close();
    }
    fs.rmSync(path.join(root, 'cache'), { recursive: true });
    fs.rmSync(target);
    logs = [];
    // The server is closed now: the connection is refused at once.
    assert.equal((await run(url)).decision, 'build');
    assert.ok(logs.some((line) => line.includes('no usable published worker (ECONNREFUSED')), logs.join('\n'));
    assert.equal(builds, 2);
  });

  it('builds from source when the published worker does not run here (another libc)', async () => {
    const release = await releaseServer({ status: 200, body: asset(root, 'BROKEN for another libc') });
    try {
      const result = await run(release.url);
      assert.equal(result.decision, 'build');
      assert.equal(fs.readFileSync(target, 'utf8'), 'VALID built from source');
      assert.ok(logs.some((line) => line.includes('does not run on this host')), logs.join('\n'));
    } finally {
      await release.close();
    }
  });

  it('names the release asset as mediasoup does, from its package.json', () => {
    const require = createRequire(import.meta.url);
    const mediasoupPkg = require(path.join(path.dirname(require.resolve('mediasoup')), '..', '..', 'package.json')) as {
      version: string;
      repository: { url: string };
    };
    assert.equal(
      publishedWorkerUrl({ repositoryUrl: mediasoupPkg.repository.url, version: '3.27.1', baseUrl: '', platform: 'linux', arch: 'x64', release: '6.1.0-28-amd64' }),
      'https://github.com/versatica/mediasoup/releases/download/3.27.1/mediasoup-worker-3.27.1-linux-x64-kernel6.tgz',
    );
    assert.equal(
      publishedWorkerUrl({ repositoryUrl: 'git+https://github.com/versatica/mediasoup.git', version: '3.27.1', baseUrl: 'https://mirror.example/ms', platform: 'darwin', arch: 'arm64' }),
      'https://mirror.example/ms/3.27.1/mediasoup-worker-3.27.1-darwin-arm64.tgz',
    );
  });
});
