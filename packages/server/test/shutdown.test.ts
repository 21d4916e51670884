import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PROTOCOL_VERSION } from '@switchboard/sdk/protocol';
import { DEV_SECRETS } from '../src/config.js';
import { AccessToken } from '../src/auth/access-token.js';
import { RawSignaling } from './support/raw-peer.js';
import { waitFor } from './support/test-server.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

// The real entry point as an operator runs it: JSON logs on stdout, SIGTERM shuts down cleanly.
describe('server process', function () {
  this.timeout(30000);
  let child: ChildProcess;
  const logs: Record<string, unknown>[] = [];

  before(async () => {
    child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'packages/server/src/main.ts', '--dev', '--port', '0', '--rtc-port', '0', '--workers', '1'],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    createInterface({ input: child.stdout! }).on('line', (line) => logs.push(JSON.parse(line) as Record<string, unknown>));
    await waitFor(() => logs.some((l) => l.msg === 'listening'), 'the server to listen', 20000);
  });

  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('tells joined peers it is shutting down on SIGTERM, then exits 0', async () => {
    const url = logs.find((l) => l.msg === 'listening')?.url as string;
    const signaling = await RawSignaling.open(url.replace(/^http/, 'ws'));
    const token = await new AccessToken(DEV_SECRETS.tokenSecret, { room: 'r', identity: 'u', ttlSeconds: 60 }).toJwt();
    await signaling.request('join', { protocolVersion: PROTOCOL_VERSION, token });
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number];
    assert.equal(code, 0);
    await waitFor(() => signaling.closeCode !== undefined, 'the socket to close');
    assert.deepEqual(signaling.notificationsOf('closed').map((n) => (n.data as { reason: string }).reason), ['serverShutdown']);
    assert.ok(logs.some((l) => l.msg === 'shutting down' && l.peers === 1));
    assert.ok(logs.every((l) => typeof l.time === 'string' && typeof l.level === 'string'));
  });
});
