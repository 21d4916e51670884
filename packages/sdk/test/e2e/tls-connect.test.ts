import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';
import { connect, ConnectionError, nodeEnvironment, type Room } from '../../src/index.js';
import { startTestServer, type TestServer } from '../../../server/test/support/test-server.js';

/** A CA and a certificate it signed for 127.0.0.1, as a private deployment would have. */
function privateCa(dir: string): { ca: string; cert: string; key: string } {
  const file = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=Switchboard test CA', '-keyout', file('ca.key'), '-out', file('ca.crt'));
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=127.0.0.1',
    '-keyout', file('server.key'), '-out', file('server.csr'));
  writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial',
    '-days', '1', '-extfile', file('san.ext'), '-out', file('server.crt'));
  return { ca: file('ca.crt'), cert: file('server.crt'), key: file('server.key') };
}

describe('connect over TLS from Node: a private CA, and the failures a TLS port explains', function () {
  this.timeout(30000);
  let dir: string;
  let server: TestServer;
  const rooms: Room[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-sdk-tls-'));
    const files = privateCa(dir);
    server = await startTestServer(['--tls-cert', files.cert, '--tls-key', files.key]);
  });
  after(async () => {
    await Promise.all(rooms.map((room) => room.leave()));
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rejection = (promise: Promise<unknown>): Promise<ConnectionError> =>
    promise.then(
      () => assert.fail('connected'),
      (error: unknown) => {
        assert.ok(error instanceof ConnectionError, String(error));
        return error;
      },
    );

  it('joins through wss:// with the CA given to nodeEnvironment', async () => {
    assert.match(server.wsUrl, /^wss:\/\/127\.0\.0\.1:\d+$/);
    const environment = nodeEnvironment({ wrtc, WebSocket, tls: { ca: readFileSync(join(dir, 'ca.crt')) } });
    const room = await connect(server.wsUrl, await server.token('tls', 'bot'), { environment });
    rooms.push(room);
    assert.equal(room.self.identity, 'bot');
    assert.equal(room.connectionState, 'connected');
  });

  it('tls: without the CA the certificate is rejected, and the error says so', async () => {
    const error = await rejection(connect(server.wsUrl, await server.token('tls', 'bot-2'), { environment: nodeEnvironment({ wrtc, WebSocket }) }));
    assert.equal(error.reason, 'tls');
    assert.match(error.message, /the TLS certificate of 127\.0\.0\.1:\d+ was rejected: unable to verify the first certificate/);
  });

  it('wrongScheme: a ws:// URL to the TLS port', async () => {
    const plain = server.wsUrl.replace(/^wss:/, 'ws:');
    const error = await rejection(connect(plain, await server.token('tls', 'bot-3'), { environment: nodeEnvironment({ wrtc, WebSocket }) }));
    assert.equal(error.reason, 'wrongScheme');
    assert.match(error.message, /speaks TLS: use wss:\/\//);
  });
});
