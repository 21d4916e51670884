import assert from 'node:assert/strict';
import { request } from 'node:http';
import { decode, encode, MAX_TARGETS } from '@switchboard/sdk/protocol';
import { registerHttpApi } from '../src/http/http-api.js';
import { bodyLimit, MAX_BODY_DEPTH } from '../src/http/request-body.js';
import { Metrics } from '../src/metrics/metrics.js';
import { captureLogger, FakeRooms, startApp, type TestApp } from './http-test-helpers.js';

const SECRET = 'test-api-secret-0123456789';
const MAX_MESSAGE_SIZE = 1024;
const AUTH = { Authorization: `Bearer ${SECRET}` };

interface ErrorAnswer {
  error: { code: string; message: string };
}

describe('HTTP API', function () {
  this.timeout(5000);
  const rooms = new FakeRooms();
  const metrics = new Metrics();
  const { logger, lines: logLines } = captureLogger();
  let server: TestApp;

  before(async () => {
    server = await startApp((app) => {
      // Catch-alls like the server's static files and 404, registered first: the API's routes
      // must still win for their paths.
      app.get('/*', (res) => void res.end('static'));
      app.any('/*', (res) => void res.end('fallback'));
      registerHttpApi(app, { rooms, apiSecret: SECRET, maxMessageSize: MAX_MESSAGE_SIZE, metrics, logger });
    });
  });
  after(() => server.close());
  beforeEach(() => {
    rooms.reset();
    rooms.add('lobby', ['p1', 'p2', 'p3']);
  });

  async function call(path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
    const response = await fetch(server.url + path, { ...init, headers: { ...AUTH, ...(init.headers as Record<string, string>) } });
    return { status: response.status, body: await response.json(), headers: response.headers };
  }

  function postJson(path: string, body: unknown, headers: Record<string, string> = {}) {
    return call(path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  }

  function assertError(answer: { status: number; body: unknown }, status: number, code: string, message?: RegExp): void {
    assert.equal(answer.status, status, JSON.stringify(answer.body));
    const { error } = answer.body as ErrorAnswer;
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
  }

  describe('authentication', () => {
    it('refuses a missing secret with 401 PERMISSION_DENIED and sends nothing', async () => {
      const response = await fetch(`${server.url}/api/rooms/lobby/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ data: 1 }),
      });
      assertError({ status: response.status, body: await response.json() }, 401, 'PERMISSION_DENIED', /missing API secret/);
      assert.equal(rooms.calls.sends.length, 0);
    });

    it('refuses a wrong secret, as Bearer and as X-Api-Secret', async () => {
      const attempts: Record<string, string>[] = [
        { Authorization: 'Bearer wrong-secret' },
        { 'X-Api-Secret': 'wrong-secret' },
        { Authorization: SECRET },
      ];
      for (const headers of attempts) {
        const response = await fetch(`${server.url}/api/rooms`, { headers });
        assertError({ status: response.status, body: await response.json() }, 401, 'PERMISSION_DENIED');
      }
    });

    it('accepts the right secret as Bearer and as X-Api-Secret', async () => {
      const attempts: Record<string, string>[] = [{ Authorization: `bearer ${SECRET}` }, { 'X-Api-Secret': SECRET }];
      for (const headers of attempts) {
        const response = await fetch(`${server.url}/api/rooms`, { headers });
        assert.equal(response.status, 200);
      }
    });
  });

  describe('POST /api/rooms/:room/messages', () => {
    it('sends a JSON body through sendFromServer with the payload as MessagePack', async () => {
      const data = { text: 'hi', list: [1, 2.5, null], nested: { ok: true } };
      const body = { type: 'chat', data, to: ['p1', 'p3'], topic: 'news', reliable: false };
      const answer = await postJson('/api/rooms/lobby/messages', body);
      assert.deepEqual(answer, { status: 200, body: { delivered: 2 }, headers: answer.headers });
      assert.equal(rooms.calls.sends.length, 1);
      const { payload, ...rest } = rooms.calls.sends[0]!;
      assert.deepEqual(rest, { room: 'lobby', type: 'chat', to: ['p1', 'p3'], topic: 'news', reliable: false });
      assert.deepEqual(decode(payload), data);
    });

    it('fills in the defaults: type "message", reliable, broadcast, no topic', async () => {
      const answer = await postJson('/api/rooms/lobby/messages', { data: 'plain' });
      assert.equal(answer.status, 200);
      assert.deepEqual((answer.body as { delivered: number }).delivered, 3);
      const { payload, ...rest } = rooms.calls.sends[0]!;
      assert.deepEqual(rest, { room: 'lobby', type: 'message', reliable: true });
      assert.equal(decode(payload), 'plain');
    });

    it('accepts MessagePack bodies (both media types), with binary data and a single target', async () => {
      for (const contentType of ['application/msgpack', 'application/x-msgpack']) {
        rooms.calls.sends.length = 0;
        const data = { blob: new Uint8Array([0, 1, 255]), n: 7 };
        const response = await fetch(`${server.url}/api/rooms/lobby/messages`, {
          method: 'POST',
          headers: { ...AUTH, 'Content-Type': contentType },
          // A copy typed as backed by a plain ArrayBuffer, which fetch's BodyInit insists on.
          body: new Uint8Array(encode({ type: 'bin', data, to: 'p2' })),
        });
        assert.equal(response.status, 200, contentType);
        assert.deepEqual(await response.json(), { delivered: 1 });
        const { payload, ...rest } = rooms.calls.sends[0]!;
        assert.deepEqual(rest, { room: 'lobby', type: 'bin', to: ['p2'], reliable: true });
        const decoded = decode(payload) as { blob: Uint8Array; n: number };
        assert.deepEqual([...decoded.blob], [0, 1, 255]);
        assert.equal(decoded.n, 7);
      }
    });

    it('decodes URL-encoded room names, which may contain "/"', async () => {
      rooms.add('live/test', ['a']);
      const answer = await postJson('/api/rooms/live%2Ftest/messages', { data: 1 });
      assert.equal(answer.status, 200);
      assert.equal(rooms.calls.sends[0]?.room, 'live/test');
      assert.ok(rooms.calls.gets.includes('live/test'));
      assertError(await postJson('/api/rooms/%E0%A4%A/messages', { data: 1 }), 400, 'MALFORMED', /room name/);
    });

    it('answers 404 NOT_FOUND for an unknown room', async () => {
      assertError(await postJson('/api/rooms/nowhere/messages', { data: 1 }), 404, 'NOT_FOUND', /nowhere/);
    });

    it('answers 404 UNKNOWN_TARGET, 413 MESSAGE_TOO_LARGE and 403 PERMISSION_DENIED when the room refuses', async () => {
      const lobby = rooms.rooms.get('lobby')!;
      lobby.failWith = 'UNKNOWN_TARGET';
      assertError(await postJson('/api/rooms/lobby/messages', { data: 1, to: 'ghost' }), 404, 'UNKNOWN_TARGET');
      lobby.failWith = 'MESSAGE_TOO_LARGE';
      assertError(await postJson('/api/rooms/lobby/messages', { data: 1 }), 413, 'MESSAGE_TOO_LARGE');
      // A target without receiveData: the request is authenticated, so this is no 401.
      lobby.failWith = 'PERMISSION_DENIED';
      assertError(await postJson('/api/rooms/lobby/messages', { data: 1, to: 'p1' }), 403, 'PERMISSION_DENIED');
    });

    it('answers 400 MALFORMED for bodies that do not decode or have no accepted type', async () => {
      const post = (body: string | Uint8Array<ArrayBuffer>, contentType: string) =>
        call('/api/rooms/lobby/messages', { method: 'POST', headers: { 'Content-Type': contentType }, body });
      assertError(await post('{"data": ', 'application/json'), 400, 'MALFORMED', /not valid JSON/);
      assertError(await post(new Uint8Array([0xc1]), 'application/msgpack'), 400, 'MALFORMED', /MessagePack/);
      assertError(await post('data=1', 'application/x-www-form-urlencoded'), 400, 'MALFORMED', /Content-Type/);
      assert.equal(rooms.calls.sends.length, 0);
    });

    it('answers 400 MALFORMED naming the field for wrong field types', async () => {
      const cases: [unknown, RegExp][] = [
        [[1, 2], /object/],
        [{ type: 'x' }, /"data" is required/],
        [{ data: 1, type: 5 }, /"type"/],
        [{ data: 1, type: '' }, /"type"/],
        [{ data: 1, type: 'x'.repeat(129) }, /"type"/],
        [{ data: 1, to: [] }, /"to"/],
        [{ data: 1, to: [1] }, /"to"/],
        [{ data: 1, to: Array.from({ length: MAX_TARGETS + 1 }, (_, i) => `p${i}`) }, /"to"/],
        [{ data: 1, topic: 3 }, /"topic"/],
        [{ data: 1, reliable: 'yes' }, /"reliable"/],
        [{ data: 1, target: 'p1' }, /unknown field "target"/],
      ];
      for (const [body, message] of cases) {
        assertError(await postJson('/api/rooms/lobby/messages', body), 400, 'MALFORMED', message);
      }
      assert.equal(rooms.calls.sends.length, 0);
    });

    it('answers 400 MALFORMED naming the field for JSON and MessagePack nested too deeply', async () => {
      const nested = (depth: number): unknown => (depth === 0 ? 1 : [nested(depth - 1)]);
      // The body object is one level; data may take the remaining MAX_BODY_DEPTH - 1.
      const fits = await postJson('/api/rooms/lobby/messages', { data: nested(MAX_BODY_DEPTH - 1) });
      assert.equal(fits.status, 200, JSON.stringify(fits.body));
      const message = new RegExp(`field "data" nests deeper than ${MAX_BODY_DEPTH} levels`);
      assertError(await postJson('/api/rooms/lobby/messages', { data: nested(MAX_BODY_DEPTH) }), 400, 'MALFORMED', message);
      const deepJson = `{"data":${'['.repeat(2000)}${']'.repeat(2000)}}`;
      const post = (body: string | Uint8Array<ArrayBuffer>, contentType: string) =>
        call('/api/rooms/lobby/messages', { method: 'POST', headers: { 'Content-Type': contentType }, body });
      assertError(await post(deepJson, 'application/json'), 400, 'MALFORMED', message);
      const deepMsgpack = new Uint8Array([0x81, 0xa4, ...new TextEncoder().encode('data'), ...new Array<number>(3000).fill(0x91), 0x01]);
      assertError(await post(deepMsgpack, 'application/msgpack'), 400, 'MALFORMED', /nests deeper|nested/);
      assert.equal(rooms.calls.sends.length, 1);
    });

    it('answers 413 for a declared body above the limit, without waiting for it', async () => {
      const limit = bodyLimit(MAX_MESSAGE_SIZE);
      // Only the headers are sent: the answer must come from Content-Length alone.
      const answer = await new Promise<{ status: number; body: unknown }>((resolve, reject) => {
        const req = request(`${server.url}/api/rooms/lobby/messages`, {
          method: 'POST',
          headers: { ...AUTH, 'Content-Type': 'application/json', 'Content-Length': String(limit + 1) },
        });
        req.on('response', (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        });
        req.on('error', reject);
        req.flushHeaders();
      });
      assertError(answer, 413, 'MESSAGE_TOO_LARGE', new RegExp(String(limit)));
      // A body just under the limit still gets through.
      assert.equal((await postJson('/api/rooms/lobby/messages', { data: 'x'.repeat(limit - 100) })).status, 200);
    });

    it('answers 413 for a streamed body once it passes the limit, and closes the connection', async () => {
      // No Content-Length: 1 KiB every few ms, up to far more than the limit (about 6 KiB here),
      // so only a server that checks while streaming answers before the client runs out.
      const chunk = new TextEncoder().encode(' '.repeat(1024));
      const maxChunks = 1000;
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await new Promise((resolve) => setTimeout(resolve, 2));
          if (sent++ < maxChunks) controller.enqueue(chunk);
          else controller.close();
        },
      });
      const response = await fetch(`${server.url}/api/rooms/lobby/messages`, {
        method: 'POST',
        headers: { ...AUTH, 'Content-Type': 'application/json' },
        body,
        duplex: 'half',
      } as RequestInit);
      assertError({ status: response.status, body: await response.json() }, 413, 'MESSAGE_TOO_LARGE');
      assert.equal(response.headers.get('connection'), 'close');
      assert.ok(sent < maxChunks / 10, `the server let the client stream ${sent} KiB first`);
    });

    it('survives a client that aborts mid-body, and keeps serving', async () => {
      // Touching a uWS response after its abort throws; here that would surface as a rejection
      // nobody handles, or as an error in the log.
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      const errorsBefore = logLines.filter((line) => line.includes('"level":"error"')).length;
      await new Promise<void>((resolve) => {
        const req = request(`${server.url}/api/rooms/lobby/messages`, {
          method: 'POST',
          headers: { ...AUTH, 'Content-Type': 'application/json', 'Content-Length': '500' },
        });
        req.on('error', () => resolve());
        req.write('{"data": "', () => setTimeout(() => req.destroy(), 20));
        req.on('close', () => resolve());
      });
      assert.equal((await postJson('/api/rooms/lobby/messages', { data: 1 })).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 20));
      process.off('unhandledRejection', onUnhandled);
      assert.deepEqual(unhandled, []);
      assert.equal(logLines.filter((line) => line.includes('"level":"error"')).length, errorsBefore);
      assert.equal(rooms.calls.sends.length, 1);
    });

    it('counts answered requests by route and status', async () => {
      const labels = { route: '/api/rooms/:room/messages', status: '200' };
      const before = metrics.value('switchboard_http_requests_total', labels);
      await postJson('/api/rooms/lobby/messages', { data: 1 });
      assert.equal(metrics.value('switchboard_http_requests_total', labels), before + 1);
      const notFound = { route: '/api/rooms/:room/messages', status: '404' };
      const before404 = metrics.value('switchboard_http_requests_total', notFound);
      await postJson('/api/rooms/nowhere/messages', { data: 1 });
      assert.equal(metrics.value('switchboard_http_requests_total', notFound), before404 + 1);
    });
  });

  describe('rooms and peers', () => {
    it('lists rooms with their peer counts and data traffic', async () => {
      rooms.add('live/test', ['a']).counts = { messagesIn: 5, deliveries: 8, rejected: { rate_limited: 2 } };
      const answer = await call('/api/rooms');
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, {
        rooms: [
          { name: 'lobby', createdAt: 1_700_000_000_000, peers: 3, traffic: { messagesIn: 0, deliveries: 0, rejected: {} } },
          { name: 'live/test', createdAt: 1_700_000_000_000, peers: 1, traffic: { messagesIn: 5, deliveries: 8, rejected: { rate_limited: 2 } } },
        ],
      });
    });

    it('lists the peers of a room with their connection state, and nothing else they carry', async () => {
      const room = rooms.add('live/test', ['a', 'b']);
      (room.peers()[0] as unknown as Record<string, unknown>).resumeKey = 'secret';
      const answer = await call('/api/rooms/live%2Ftest/peers');
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, {
        peers: [
          { id: 'a', identity: 'user-a', joinedAt: 1_700_000_000_000, connected: true, tracks: [] },
          { id: 'b', identity: 'user-b', joinedAt: 1_700_000_000_001, connected: false, tracks: [] },
        ],
      });
      assertError(await call('/api/rooms/nowhere/peers'), 404, 'NOT_FOUND');
    });

    it('kicks a peer with the given or a default reason; 404 for an unknown peer or room', async () => {
      const kicked = await postJson('/api/rooms/lobby/peers/p2/kick', { reason: 'spam' });
      assert.deepEqual(kicked.body, { kicked: true });
      const bare = await call('/api/rooms/lobby/peers/p3/kick', { method: 'POST' });
      assert.deepEqual(bare.body, { kicked: true });
      assert.deepEqual(rooms.calls.kicks, [
        { room: 'lobby', peerId: 'p2', reason: 'spam' },
        { room: 'lobby', peerId: 'p3', reason: 'removed by the server' },
      ]);
      assertError(await call('/api/rooms/lobby/peers/p2/kick', { method: 'POST' }), 404, 'NOT_FOUND', /p2/);
      assertError(await call('/api/rooms/nowhere/peers/p1/kick', { method: 'POST' }), 404, 'NOT_FOUND', /nowhere/);
      assertError(await postJson('/api/rooms/lobby/peers/p1/kick', { reason: 7 }), 400, 'MALFORMED', /"reason"/);
      assert.equal(rooms.calls.kicks.length, 2);
    });
  });

  describe('unknown paths and methods', () => {
    it('answers 405 with Allow for a wrong method on a known path', async () => {
      const wrong = await call('/api/rooms/lobby/messages');
      assertError(wrong, 405, 'UNSUPPORTED', /GET/);
      assert.equal(wrong.headers.get('allow'), 'POST');
      assert.equal((await call('/api/rooms', { method: 'DELETE' })).headers.get('allow'), 'GET');
    });

    it('answers 404 for unknown API paths instead of falling through to other routes', async () => {
      assertError(await call('/api/nothing/here'), 404, 'NOT_FOUND');
      assertError(await call('/api/nothing', { method: 'POST' }), 404, 'NOT_FOUND');
    });
  });
});
