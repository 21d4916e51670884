import assert from 'node:assert/strict';
import { decode } from '@switchboard/sdk/protocol';
import { registerZlmApi } from '../src/http/zlm-api.js';
import { Metrics } from '../src/metrics/metrics.js';
import { captureLogger, FakeRooms, startApp, type TestApp } from './http-test-helpers.js';

const SECRET = 'test-api-secret-0123456789';
const PATH = '/index/api/broadcastMessage';
const ARGS = { secret: SECRET, schema: 'rtsp', vhost: '__defaultVhost__', app: 'live', stream: 'test', msg: 'hello' };

describe('ZLMediaKit broadcastMessage API', function () {
  this.timeout(5000);
  const rooms = new FakeRooms();
  const { logger } = captureLogger();
  let server: TestApp;

  before(async () => {
    server = await startApp((app) =>
      registerZlmApi(app, { rooms, apiSecret: SECRET, maxMessageSize: 1024, metrics: new Metrics(), logger }),
    );
  });
  after(() => server.close());
  beforeEach(() => {
    rooms.reset();
    rooms.add('live/test', ['p1', 'p2']);
  });

  // ZLMediaKit answers HTTP 200 whatever happened; only `code` tells.
  async function zlm(path: string, init?: RequestInit): Promise<unknown> {
    const response = await fetch(server.url + path, init);
    assert.equal(response.status, 200);
    return response.json();
  }

  const get = (args: Record<string, string>) => zlm(`${PATH}?${new URLSearchParams(args)}`);
  const postForm = (args: Record<string, string>, query = '') =>
    zlm(`${PATH}${query}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(args).toString(),
    });
  const postJson = (args: unknown) =>
    zlm(PATH, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(args) });

  function assertBroadcast(msg: string): void {
    assert.equal(rooms.calls.sends.length, 1);
    const { payload, ...rest } = rooms.calls.sends[0]!;
    assert.deepEqual(rest, { room: 'live/test', type: 'broadcastMessage', reliable: true });
    assert.equal(decode(payload), msg);
  }

  it('GET broadcasts msg to the room app/stream as a reliable broadcastMessage', async () => {
    assert.deepEqual(await get(ARGS), { code: 0, msg: 'success' });
    assertBroadcast('hello');
  });

  it('POST with a form body, or the secret in the query and the rest in the form', async () => {
    const msg = 'üñí & = + %20 "quoted"';
    assert.deepEqual(await postForm({ ...ARGS, msg }), { code: 0, msg: 'success' });
    assertBroadcast(msg);
    rooms.calls.sends.length = 0;
    const { secret, ...rest } = ARGS;
    assert.deepEqual(await postForm(rest, `?secret=${secret}`), { code: 0, msg: 'success' });
    assertBroadcast('hello');
  });

  it('POST with a JSON body; scalar values are taken as strings', async () => {
    assert.deepEqual(await postJson({ ...ARGS, msg: 42 }), { code: 0, msg: 'success' });
    assertBroadcast('42');
  });

  it('answers -100 for a wrong or missing secret and sends nothing', async () => {
    const { secret: _secret, ...noSecret } = ARGS;
    const refused = { code: -100, msg: 'Incorrect secret' };
    assert.deepEqual(await get({ ...ARGS, secret: 'wrong' }), refused);
    assert.deepEqual(await get(noSecret), refused);
    assert.deepEqual(await postForm({ ...ARGS, secret: 'wrong' }), refused);
    assert.deepEqual(await postJson({ ...ARGS, secret: 'wrong' }), refused);
    assert.equal(rooms.calls.sends.length, 0);
  });

  it('answers -300 naming missing (or empty) parameters', async () => {
    const { msg: _msg, vhost: _vhost, ...rest } = ARGS;
    assert.deepEqual(await get(rest), { code: -300, msg: 'Required parameter missed: "vhost", "msg"' });
    assert.deepEqual(await get({ ...ARGS, msg: '' }), { code: -300, msg: 'Required parameter missed: "msg"' });
    assert.deepEqual(await postJson({ ...ARGS, schema: undefined }), { code: -300, msg: 'Required parameter missed: "schema"' });
    assert.deepEqual(await postForm({ ...ARGS, app: '' }), { code: -300, msg: 'Required parameter missed: "app"' });
    assert.equal(rooms.calls.sends.length, 0);
  });

  it('answers -300 for a malformed JSON body or an object-valued parameter', async () => {
    const bad = await zlm(PATH, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"secret":' });
    assert.equal((bad as { code: number }).code, -300);
    assert.match((bad as { msg: string }).msg, /JSON/);
    assert.deepEqual(await postJson({ ...ARGS, msg: { text: 'hi' } }), { code: -300, msg: 'parameter "msg" must be a string' });
  });

  it('answers -500 "can not find the stream" for an unknown room', async () => {
    const expected = { code: -500, msg: 'can not find the stream' };
    assert.deepEqual(await get({ ...ARGS, stream: 'other' }), expected);
    assert.deepEqual(await postJson({ ...ARGS, app: 'vod' }), expected);
    assert.equal(rooms.calls.sends.length, 0);
  });

  it('answers -400 with the reason when the room refuses the message', async () => {
    rooms.rooms.get('live/test')!.failWith = 'MESSAGE_TOO_LARGE';
    assert.deepEqual(await get(ARGS), { code: -400, msg: 'fake room refused: MESSAGE_TOO_LARGE' });
  });

  it('answers other methods with ZLMediaKit\'s result shape, naming the allowed ones', async () => {
    for (const method of ['PUT', 'DELETE', 'OPTIONS']) {
      const response = await fetch(`${server.url}${PATH}`, { method });
      assert.equal(response.status, 200, method);
      assert.equal(response.headers.get('allow'), 'GET, POST');
      assert.deepEqual(await response.json(), { code: -400, msg: `${method} is not supported; use GET or POST` });
    }
    assert.equal(rooms.calls.sends.length, 0);
  });
});
