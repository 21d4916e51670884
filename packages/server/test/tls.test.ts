import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { PROTOCOL_VERSION } from '@switchboard/sdk/protocol';
import { createApp } from '../src/http/tls.js';
import { loadUws } from '../src/http/uws.js';
import { RawSignaling } from './support/raw-peer.js';
import { selfSigned } from './support/self-signed.js';
import { startTestServer, type TestServer } from './support/test-server.js';

function httpsGet(url: string, ca: Buffer): Promise<{ status: number; body: string; protocol: string }> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (response) => {
      const protocol = (response.socket as TLSSocket).getProtocol() ?? '';
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, protocol }));
    }).on('error', reject);
  });
}

describe('TLS (--tls-cert, --tls-key): HTTPS and wss://', function () {
  this.timeout(20000);
  let dir: string;
  let files: { cert: string; key: string };
  let t: TestServer | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-tls-'));
    files = selfSigned(dir, 'server');
  });
  after(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the HTTP API over HTTPS and signaling over wss://, verified against the certificate', async () => {
    t = await startTestServer(['--tls-cert', files.cert, '--tls-key', files.key]);
    assert.match(t.server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = readFileSync(files.cert);
    const health = await httpsGet(`${t.server.url}/healthz`, ca);
    assert.equal(health.status, 200);
    assert.equal((JSON.parse(health.body) as { status: string }).status, 'ok');
    assert.match(health.protocol, /^TLSv1\.[23]$/);

    assert.match(t.wsUrl, /^wss:\/\//);
    const signaling = await RawSignaling.open(t.wsUrl, { ca });
    const joined = (await signaling.request('join', { protocolVersion: PROTOCOL_VERSION, token: await t.token('tls', 'alice') })) as {
      self: { identity: string };
    };
    assert.equal(joined.self.identity, 'alice');
    signaling.ws.close();

    // A client that does not trust the certificate is refused: this really is TLS.
    await assert.rejects(RawSignaling.open(t.wsUrl), /self[- ]signed certificate/);
    await assert.rejects(fetch(`${t.server.url}/healthz`));
  });

  it('refuses a missing file, a non-PEM file and a key of another certificate with TLS_INVALID', () => {
    const { uws } = loadUws();
    const other = selfSigned(dir, 'other');
    const notPem = join(dir, 'not-pem.txt');
    writeFileSync(notPem, 'hello');
    const cases: [{ tlsCert: string; tlsKey: string }, RegExp][] = [
      [{ tlsCert: join(dir, 'missing.crt'), tlsKey: files.key }, /--tls-cert .*missing\.crt cannot be read \(ENOENT\)/],
      [{ tlsCert: files.cert, tlsKey: notPem }, /--tls-key .*not-pem\.txt is not a PEM file/],
      [{ tlsCert: files.cert, tlsKey: other.key }, /does the key match the certificate/],
    ];
    for (const [tls, message] of cases) assert.throws(() => createApp(uws, tls), { code: 'TLS_INVALID', message });
  });
});
