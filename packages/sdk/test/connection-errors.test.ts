import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';
import { connect, ConnectionError, nodeEnvironment, type ConnectionFailure } from '../src/index.js';

const environment = nodeEnvironment({ wrtc, WebSocket });

/** A server on a free loopback port, closed (its connections too) by `close`. */
async function listen<S extends Server | HttpServer>(server: S): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** What `connect` rejects with for `url`, checked to be a ConnectionError for `reason`. */
async function failure(url: string, reason: ConnectionFailure, requestTimeoutMs?: number): Promise<ConnectionError> {
  const error = await connect(url, 'token', { environment, ...(requestTimeoutMs ? { requestTimeoutMs } : {}) }).then(
    () => assert.fail(`${url} connected`),
    (rejection: unknown) => rejection,
  );
  assert.ok(error instanceof ConnectionError, String(error));
  assert.equal(error.code, 'UNREACHABLE');
  assert.equal(error.reason, reason, error.message);
  return error;
}

// The TLS cases (a rejected certificate, ws:// to a TLS port, a private CA) run against the real
// server in e2e/tls-connect.test.ts; the browser's view is in browser/connection-errors.test.ts.
describe('connect: why the signaling WebSocket could not be opened (Node)', function () {
  this.timeout(20000);

  it('refused: nothing listens on the port', async () => {
    const { port, close } = await listen(createServer());
    await close();
    const error = await failure(`ws://127.0.0.1:${port}`, 'refused');
    assert.equal(error.url, `ws://127.0.0.1:${port}/rtc`);
    assert.match(error.message, /nothing accepts connections at 127\.0\.0\.1:\d+ \(connection refused\)/);
    assert.equal((error.cause as { code?: string }).code, 'ECONNREFUSED');
  });

  it('notWebSocket: an HTTP server answers the upgrade with 404, and the status is named', async () => {
    const http = await listen(createHttpServer((_request, response) => response.writeHead(404).end('no such page')));
    try {
      const error = await failure(`ws://127.0.0.1:${http.port}/app`, 'notWebSocket');
      assert.match(error.message, /answered HTTP 404 instead of accepting a WebSocket/);
    } finally {
      await http.close();
    }
  });

  it('wrongScheme: a wss:// URL to a port that speaks plain HTTP', async () => {
    const http = await listen(createHttpServer((_request, response) => response.writeHead(404).end()));
    try {
      const error = await failure(`wss://127.0.0.1:${http.port}`, 'wrongScheme');
      assert.match(error.message, /does not speak TLS: use ws:\/\//);
    } finally {
      await http.close();
    }
  });

  it('timeout: a port that accepts the connection and never answers, within requestTimeoutMs', async () => {
    const silent = await listen(createServer(() => undefined));
    try {
      const started = Date.now();
      const error = await failure(`ws://127.0.0.1:${silent.port}`, 'timeout', 300);
      assert.ok(Date.now() - started < 5000);
      assert.match(error.message, /no answer within 300 ms/);
    } finally {
      await silent.close();
    }
  });
});
