import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { us_listen_socket } from 'uWebSockets.js';
import WebSocket from 'ws';
import { loadUws } from '../src/http/uws.js';

const run = promisify(execFile);

describe('uWebSockets.js loading', () => {
  it('loads the native addon for this Node and echoes WebSocket messages on a loopback port', async () => {
    const { uws, release } = loadUws();
    assert.match(release, /^@based\/uws@\d+\.\d+\.\d+$/);

    const app = uws.App().ws('/echo', {
      message: (ws, message, isBinary) => {
        ws.send(message, isBinary);
      },
    });
    const listenSocket = await new Promise<us_listen_socket>(
      (resolve, reject) => app.listen('127.0.0.1', 0, (socket) => (socket ? resolve(socket) : reject(new Error('listen failed')))),
    );
    try {
      const port = uws.us_socket_local_port(listenSocket);
      assert.ok(port > 0);
      const client = new WebSocket(`ws://127.0.0.1:${port}/echo`);
      await new Promise((resolve, reject) => {
        client.once('open', resolve);
        client.once('error', reject);
      });
      const reply = new Promise<{ data: Buffer; isBinary: boolean }>((resolve) =>
        client.once('message', (data, isBinary) => resolve({ data: data as Buffer, isBinary })),
      );
      client.send(Buffer.from([1, 2, 3, 250]));
      const { data, isBinary } = await reply;
      assert.equal(isBinary, true);
      assert.deepEqual([...data], [1, 2, 3, 250]);
      client.close();
    } finally {
      uws.us_listen_socket_close(listenSocket);
    }
  });

  it('refuses to start on a Node it has no binary for, saying which Node to use', async () => {
    // A Node ABI no release ships binaries for stands in for an unsupported Node.
    const script = `
      Object.defineProperty(process.versions, 'modules', { value: '1' });
      const { loadUws } = await import('./packages/server/src/http/uws.ts');
      try { loadUws(); console.log('LOADED'); }
      catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }
    `;
    const { stdout } = await run(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script]);
    const line = stdout.trim().split('\n').find((l) => l.startsWith('{') || l === 'LOADED');
    const refused = JSON.parse(line ?? '{}') as { code?: string; message?: string };
    assert.equal(refused.code, 'UWS_UNAVAILABLE');
    assert.match(refused.message ?? '', /Node 22 LTS/);
  });
});
