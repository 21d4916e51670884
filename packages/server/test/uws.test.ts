import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { us_listen_socket } from 'uWebSockets.js';
import WebSocket from 'ws';
import { loadUws } from '../src/http/uws.js';

const run = promisify(execFile);

describe('uWebSockets.js loading', () => {
  it('loads the native addon and echoes WebSocket messages on a loopback port', async () => {
    const { uws, implementation } = loadUws({ allowFallback: false });
    assert.equal(implementation, 'native');

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

  it('refuses the JavaScript fallback unless allowed, saying how to fix it', async () => {
    const script = `
      import { loadUws } from './packages/server/src/http/uws.ts';
      try { loadUws({ allowFallback: false }); console.log('LOADED'); }
      catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }
      console.log(loadUws({ allowFallback: true }).implementation);
    `;
    const { stdout } = await run(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script],
      { env: { ...process.env, UWS_USE_FALLBACK: '1' } },
    );
    const lines = stdout.trim().split('\n').filter((l) => l.startsWith('{') || l === 'fallback' || l === 'LOADED');
    const refused = JSON.parse(lines[0] ?? '{}') as { code?: string; message?: string };
    assert.equal(refused.code, 'UWS_FALLBACK_REFUSED');
    assert.match(refused.message ?? '', /SWITCHBOARD_ALLOW_UWS_FALLBACK/);
    assert.equal(lines[1], 'fallback');
  });
});
