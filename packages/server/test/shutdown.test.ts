import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { encode, PROTOCOL_VERSION } from '@switchboard/sdk/protocol';
import { DEV_SECRETS } from '../src/config.js';
import { AccessToken } from '../src/auth/access-token.js';
import { RawPeer, RawSignaling } from './support/raw-peer.js';
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
      ['--conditions=source', '--import', 'tsx', 'packages/server/src/main.ts', '--dev', '--port', '0', '--rtc-port', '0', '--rtc-lan-ip', 'none', '--workers', '1'],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    createInterface({ input: child.stdout! }).on('line', (line) => logs.push(JSON.parse(line) as Record<string, unknown>));
    await waitFor(() => logs.some((l) => l.msg === 'listening'), 'the server to listen', 20000);
  });

  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('on SIGTERM tells every joined peer, mid-traffic, it is shutting down, closes the rest, then exits 0', async () => {
    const url = logs.find((l) => l.msg === 'listening')?.url as string;
    const signaling = await RawSignaling.open(url.replace(/^http/, 'ws'));
    const token = await new AccessToken(DEV_SECRETS.tokenSecret, { room: 'r', identity: 'u', ttlSeconds: 60 }).toJwt();
    await signaling.request('join', { protocolVersion: PROTOCOL_VERSION, token });
    // Peers with open DataChannels in the middle of numbered traffic, and a socket that never joined.
    const grants = ['sendData', 'receiveData'] as const;
    const wsUrl = url.replace(/^http/, 'ws');
    const talkers = [
      await RawPeer.join(wsUrl, await new AccessToken(DEV_SECRETS.tokenSecret, { room: 'chat', identity: 'a', grants: [...grants], ttlSeconds: 60 }).toJwt()),
      await RawPeer.join(wsUrl, await new AccessToken(DEV_SECRETS.tokenSecret, { room: 'chat', identity: 'b', grants: [...grants], ttlSeconds: 60 }).toJwt()),
    ];
    const idle = await RawSignaling.open(wsUrl);
    let n = 0;
    const traffic = setInterval(() => talkers.forEach((p) => p.send('reliable', { data: encode(++n) })), 5);
    await waitFor(() => talkers.every((p) => p.payloads().length > 10), 'traffic between the peers');
    const exited = once(child, 'exit');
    // The signal comes with messages still in flight, but no new send follows it: writing to a
    // wrtc DataChannel whose transport the stopping server tears down can crash this process.
    clearInterval(traffic);
    child.kill('SIGTERM');
    const [code] = (await exited) as [number];
    assert.equal(code, 0);
    const joined = [signaling, ...talkers.map((p) => p.signaling)];
    await waitFor(() => [...joined, idle].every((s) => s.closeCode !== undefined), 'every socket to close');
    for (const s of joined) {
      assert.deepEqual(s.notificationsOf('closed').map((n) => (n.data as { reason: string }).reason), ['serverShutdown']);
      assert.equal(s.closeCode, 4000);
    }
    assert.equal(idle.closeCode, 1000);
    talkers.forEach((p) => p.close());
    assert.ok(logs.some((l) => l.msg === 'shutting down' && l.peers === 3));
    assert.ok(logs.every((l) => typeof l.time === 'string' && typeof l.level === 'string'));
  });
});
