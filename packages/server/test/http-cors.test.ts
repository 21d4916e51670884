import assert from 'node:assert/strict';
import { CorsPolicy, parseCorsOrigins } from '../src/http/cors.js';
import { registerDevTokenApi } from '../src/http/dev-token-api.js';
import { registerHttpApi } from '../src/http/http-api.js';
import { Metrics } from '../src/metrics/metrics.js';
import { captureLogger, FakeRooms, startApp, type TestApp } from './http-test-helpers.js';
import { loadConfig } from '../src/config.js';

const API_SECRET = 'test-api-secret-0123456789';
const APP_ORIGIN = 'https://app.example.com';

async function startApi(origins: string[]): Promise<TestApp> {
  const rooms = new FakeRooms();
  rooms.add('lobby', ['p1']);
  const cors = new CorsPolicy(origins);
  const { logger } = captureLogger();
  return startApp((app) => {
    registerHttpApi(app, { rooms, apiSecret: API_SECRET, maxMessageSize: 1024, metrics: new Metrics(), logger, cors });
    registerDevTokenApi(app, { tokenSecret: 'test-token-secret-0123456789', maxTokenTtlSeconds: 86400, logger, cors });
  });
}

describe('CORS for the HTTP API and /dev/token', function () {
  this.timeout(5000);
  let server: TestApp | undefined;
  afterEach(() => server?.close());

  it('allows a configured origin: headers on answers (errors too) and a preflight that names the methods', async () => {
    server = await startApi([APP_ORIGIN]);
    const answer = await fetch(`${server.url}/api/rooms`, { headers: { Origin: APP_ORIGIN, Authorization: `Bearer ${API_SECRET}` } });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('access-control-allow-origin'), APP_ORIGIN);
    assert.equal(answer.headers.get('vary'), 'Origin');
    const refused = await fetch(`${server.url}/api/rooms`, { headers: { Origin: APP_ORIGIN } });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('access-control-allow-origin'), APP_ORIGIN, 'a browser app must be able to read the error');

    const preflight = await fetch(`${server.url}/api/rooms/lobby/messages`, {
      method: 'OPTIONS',
      headers: { Origin: APP_ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), APP_ORIGIN);
    assert.equal(preflight.headers.get('access-control-allow-methods'), 'POST');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization.*Content-Type/);

    const token = await fetch(`${server.url}/dev/token?room=lobby`, { headers: { Origin: APP_ORIGIN } });
    assert.equal(token.status, 200);
    assert.equal(token.headers.get('access-control-allow-origin'), APP_ORIGIN);
  });

  it('sends no allow header to other origins, and none at all when no origin is configured', async () => {
    server = await startApi([APP_ORIGIN]);
    const other = await fetch(`${server.url}/dev/token?room=lobby`, { headers: { Origin: 'https://evil.example.net' } });
    assert.equal(other.status, 200);
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    const preflight = await fetch(`${server.url}/dev/token`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example.net' } });
    assert.equal(preflight.headers.get('access-control-allow-methods'), null);
    server.close();

    server = await startApi([]);
    const plain = await fetch(`${server.url}/dev/token?room=lobby`, { headers: { Origin: APP_ORIGIN } });
    assert.equal(plain.headers.get('access-control-allow-origin'), null);
    assert.equal(plain.headers.get('vary'), null);
  });

  it('"*" allows any origin', async () => {
    server = await startApi(['*']);
    const answer = await fetch(`${server.url}/dev/token?room=lobby`, { headers: { Origin: 'http://localhost:5173' } });
    assert.equal(answer.headers.get('access-control-allow-origin'), '*');
  });

  it('is configured by --cors-origins / SWITCHBOARD_CORS_ORIGINS, refusing what is not an origin', () => {
    assert.deepEqual(loadConfig(['--dev', '--cors-origins', `${APP_ORIGIN}, http://localhost:5173`], {}).corsOrigins, [
      APP_ORIGIN,
      'http://localhost:5173',
    ]);
    assert.deepEqual(loadConfig(['--dev'], { SWITCHBOARD_CORS_ORIGINS: '*' }).corsOrigins, ['*']);
    assert.deepEqual(loadConfig(['--dev'], {}).corsOrigins, []);
    assert.throws(() => parseCorsOrigins('https://app.example.com/path'), { code: 'CONFIG_INVALID', message: /not an origin/ });
    assert.throws(() => parseCorsOrigins('app.example.com'), { code: 'CONFIG_INVALID' });
  });
});
