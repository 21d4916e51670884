import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { DEFAULT_GRANTS, GRANT_NAMES } from '@switchboard/sdk/protocol';
import { verifyToken } from '../src/auth/token.js';
import { registerDevTokenApi } from '../src/http/dev-token-api.js';
import { Metrics } from '../src/metrics/metrics.js';
import { captureLogger, startApp, type TestApp } from './http-test-helpers.js';

const TOKEN_SECRET = 'test-token-secret-0123456789';
const POLICY = { maxTtlSeconds: 24 * 3600 };

interface TokenAnswer {
  token: string;
  room: string;
  identity: string;
  expiresAt: number;
}

describe('dev token API', function () {
  this.timeout(5000);
  const metrics = new Metrics();
  let server: TestApp;

  before(async () => {
    server = await startApp((app) => registerDevTokenApi(app, { tokenSecret: TOKEN_SECRET, maxTokenTtlSeconds: POLICY.maxTtlSeconds, logger: captureLogger().logger, metrics }));
  });
  after(() => server.close());

  async function get(query: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${server.url}/dev/token?${query}`);
    return { status: response.status, body: await response.json() };
  }

  async function post(body: string, contentType = 'application/json'): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${server.url}/dev/token`, { method: 'POST', headers: { 'Content-Type': contentType }, body });
    return { status: response.status, body: await response.json() };
  }

  it('GET mints a token the server verifies, with the requested room, identity, name, grants and ttl', async () => {
    const before = Date.now();
    const answer = await get('room=live%2Ftest&identity=alice&name=Alice&grants=publish,sendData,admin&ttl=60');
    assert.equal(answer.status, 200);
    const { token, room, identity, expiresAt } = answer.body as TokenAnswer;
    assert.equal(room, 'live/test');
    assert.equal(identity, 'alice');
    const verified = await verifyToken(token, TOKEN_SECRET, POLICY);
    assert.equal(verified.room, 'live/test');
    assert.equal(verified.identity, 'alice');
    assert.equal(verified.name, 'Alice');
    assert.deepEqual(verified.grants, { publish: true, subscribe: false, sendData: true, receiveData: false, admin: true, direct: false });
    assert.equal(expiresAt, verified.expiresAt);
    assert.ok(expiresAt >= Math.floor(before / 1000) * 1000 + 60_000 && expiresAt <= Date.now() + 61_000, String(expiresAt));
    await assert.rejects(verifyToken(token, 'another-secret-0123456789', POLICY), { code: 'INVALID_TOKEN' });
  });

  it('gives default grants without a grants parameter and a random identity without one', async () => {
    const first = (await get('room=lobby')).body as TokenAnswer;
    const second = (await get('room=lobby')).body as TokenAnswer;
    assert.match(first.identity, /^dev-/);
    assert.notEqual(first.identity, second.identity);
    const verified = await verifyToken(first.token, TOKEN_SECRET, POLICY);
    assert.equal(verified.identity, first.identity);
    assert.deepEqual(verified.grants, DEFAULT_GRANTS);
  });

  it('POST takes the same fields as JSON, plus metadata', async () => {
    const answer = await post(JSON.stringify({ room: 'lobby', identity: 'bob', grants: ['receiveData'], metadata: { team: 'blue' } }));
    assert.equal(answer.status, 200);
    const verified = await verifyToken((answer.body as TokenAnswer).token, TOKEN_SECRET, POLICY);
    assert.equal(verified.identity, 'bob');
    assert.deepEqual(verified.metadata, { team: 'blue' });
    assert.deepEqual(verified.grants, { publish: false, subscribe: false, sendData: false, receiveData: true, admin: false, direct: false });
  });

  it('answers 400 MALFORMED with a clear message for bad requests', async () => {
    const cases: [Promise<{ status: number; body: unknown }>, RegExp][] = [
      [get('identity=alice'), /"room" is required/],
      [get('room=lobby&grants=publish,fly'), /unknown grant "fly"/],
      [get('room=lobby&ttl=0'), /"ttl"/],
      [get('room=lobby&ttl=abc'), /"ttl"/],
      [get('room=lobby&rom=x'), /unknown field "rom"/],
      [get('room=lobby&metadata=x'), /metadata/],
      [get(`room=${'r'.repeat(300)}`), /room/],
      [post('room=lobby', 'application/x-www-form-urlencoded'), /JSON body/],
      [post('{"room":'), /not valid JSON/],
      [post(JSON.stringify({ room: 'lobby', metadata: [1] })), /"metadata"/],
      [post(JSON.stringify({ room: 'lobby', grants: { admin: true } })), /"grants"/],
    ];
    for (const [pending, message] of cases) {
      const { status, body } = await pending;
      assert.equal(status, 400, JSON.stringify(body));
      const { error } = body as { error: { code: string; message: string } };
      assert.equal(error.code, 'MALFORMED');
      assert.match(error.message, message);
    }
    assert.ok(metrics.value('switchboard_http_requests_total', { route: '/dev/token', status: '400' }) >= cases.length);
  });

  it('is described as it is in docs/http-api.md: the grant names, the defaults and the example answer', async () => {
    const doc = await readFile(new URL('../../../docs/http-api.md', import.meta.url), 'utf8');
    const row = doc.split('\n').find((line) => line.startsWith('| `grants` | no |'));
    assert.ok(row, 'the dev token table has a grants row');
    const [names = '', defaults = ''] = row.split('If absent');
    assert.deepEqual([...names.matchAll(/`(\w+)`/g)].map((m) => m[1]).filter((n) => n !== 'grants'), GRANT_NAMES);
    const given = defaults.split('(not')[0]!;
    assert.deepEqual([...given.matchAll(/`(\w+)`/g)].map((m) => m[1]), GRANT_NAMES.filter((name) => DEFAULT_GRANTS[name]));
    // The documented request, and the grants its documented answer shows.
    const example = doc.match(/curl "\$SB\/dev\/token\?([^"]+)"/)?.[1];
    const shown = doc.match(/"grants": (\{[^}]+\})/)?.[1];
    assert.ok(example && shown, 'the GET example and its answer');
    const verified = await verifyToken(((await get(example)).body as TokenAnswer).token, TOKEN_SECRET, POLICY);
    assert.deepEqual(verified.grants, JSON.parse(shown));
  });
});
