import assert from 'node:assert/strict';
import { GRANT_NAMES, MAX_NAME_LENGTH, MAX_TARGETS } from '@switchboard/sdk/protocol';
import { LocalRoomBus } from '../src/cluster/local-room-bus.js';
import { MAX_POLICY_NAMES } from '../src/history/history-policy.js';
import { RoomHistory } from '../src/history/room-history.js';
import { POLICY_BODY_LIMIT, registerHistoryApi, type ApiHistoryRoom } from '../src/http/history-api.js';
import { registerHttpApi } from '../src/http/http-api.js';
import { GRANTS_BODY_LIMIT } from '../src/http/grants-route.js';
import { Metrics } from '../src/metrics/metrics.js';
import { captureLogger, FakeRooms, startApp, type TestApp } from './http-test-helpers.js';

const SECRET = 'test-api-secret-0123456789';
const MAX_MESSAGE_SIZE = 1024;
const CAPS = { maxLimit: 50, maxBytes: 64 * 1024 };

/** A request the API must refuse, and the refusal it must give. */
interface BadRequest {
  what: string;
  method: 'GET' | 'PUT' | 'PATCH' | 'POST';
  path: string;
  /** Sent JSON-encoded. */
  body?: unknown;
  /** Sent as it is, instead of `body`. */
  raw?: string;
  contentType?: string;
  status: number;
  code: string;
  message?: RegExp;
}

const PEER = '/api/rooms/lobby/peers/p1';
const POLICY = '/api/rooms/lobby/history-policy';
const MESSAGES = '/api/rooms/lobby/messages';
const names = (n: number, prefix = 'n'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

// The endpoints added with runtime grants, room history and identity targets, each fed
// malformed, wrong-typed and oversized input: every refusal is typed and changes nothing.
const CASES: BadRequest[] = [
  // PATCH /api/rooms/:room/peers/:peer (grants)
  { what: 'a body that is not JSON', method: 'PATCH', path: PEER, raw: '{"revoke":', status: 400, code: 'MALFORMED', message: /not valid JSON/ },
  { what: 'an array body', method: 'PATCH', path: PEER, body: [], status: 400, code: 'MALFORMED', message: /must be an object/ },
  { what: 'a null body', method: 'PATCH', path: PEER, body: null, status: 400, code: 'MALFORMED', message: /must be an object/ },
  { what: 'a string body', method: 'PATCH', path: PEER, body: 'sendData', status: 400, code: 'MALFORMED' },
  { what: 'an unknown field', method: 'PATCH', path: PEER, body: { mute: true }, status: 400, code: 'MALFORMED', message: /unknown field "mute"/ },
  { what: 'no change at all', method: 'PATCH', path: PEER, body: {}, status: 400, code: 'MALFORMED' },
  { what: 'revoke as a string', method: 'PATCH', path: PEER, body: { revoke: 'sendData' }, status: 400, code: 'MALFORMED', message: /"revoke" must be a list/ },
  { what: 'grants as an object', method: 'PATCH', path: PEER, body: { grants: { sendData: true } }, status: 400, code: 'MALFORMED', message: /"grants" must be a list/ },
  { what: 'a number in grant', method: 'PATCH', path: PEER, body: { grant: [1] }, status: 400, code: 'MALFORMED', message: /unknown grant 1/ },
  { what: 'an unknown grant name', method: 'PATCH', path: PEER, body: { grants: ['teleport'] }, status: 400, code: 'MALFORMED', message: /unknown grant "teleport"/ },
  { what: 'grants with revoke', method: 'PATCH', path: PEER, body: { grants: [], revoke: ['publish'] }, status: 400, code: 'MALFORMED', message: /not both/ },
  { what: 'a grant both given and revoked', method: 'PATCH', path: PEER, body: { grant: ['publish'], revoke: ['publish'] }, status: 400, code: 'MALFORMED', message: /both granted and revoked/ },
  { what: 'an overlong list', method: 'PATCH', path: PEER, body: { revoke: Array(GRANT_NAMES.length * 2 + 1).fill('publish') }, status: 400, code: 'MALFORMED' },
  { what: 'a body above the limit', method: 'PATCH', path: PEER, body: { revoke: ['publish'], pad: 'x'.repeat(GRANTS_BODY_LIMIT) }, status: 413, code: 'MESSAGE_TOO_LARGE' },
  { what: 'a Content-Type it does not read', method: 'PATCH', path: PEER, raw: 'revoke=publish', contentType: 'text/plain', status: 400, code: 'MALFORMED', message: /Content-Type/ },
  { what: 'a peer ID that is not valid percent-encoding', method: 'PATCH', path: '/api/rooms/lobby/peers/%E0%A4%A', body: { revoke: ['publish'] }, status: 400, code: 'MALFORMED', message: /peer ID/ },
  { what: 'an unknown peer', method: 'PATCH', path: '/api/rooms/lobby/peers/nobody', body: { revoke: ['publish'] }, status: 404, code: 'NOT_FOUND' },
  { what: 'an unknown room', method: 'PATCH', path: '/api/rooms/nowhere/peers/p1', body: { revoke: ['publish'] }, status: 404, code: 'NOT_FOUND' },

  // PUT /api/rooms/:room/history-policy
  { what: 'a body that is not JSON', method: 'PUT', path: POLICY, raw: '{"limit": 2', status: 400, code: 'MALFORMED', message: /not valid JSON/ },
  { what: 'an array body', method: 'PUT', path: POLICY, body: [2], status: 400, code: 'MALFORMED', message: /must be an object/ },
  { what: 'a number body', method: 'PUT', path: POLICY, body: 2, status: 400, code: 'MALFORMED', message: /must be an object/ },
  { what: 'an unknown field', method: 'PUT', path: POLICY, body: { limit: 2, keep: 'all' }, status: 400, code: 'MALFORMED', message: /unknown field "keep"/ },
  { what: 'no limit', method: 'PUT', path: POLICY, body: { types: ['chat'] }, status: 400, code: 'MALFORMED', message: /limit must be a whole number/ },
  { what: 'a limit of 0', method: 'PUT', path: POLICY, body: { limit: 0 }, status: 400, code: 'MALFORMED', message: /limit must be a whole number/ },
  { what: 'a fractional limit', method: 'PUT', path: POLICY, body: { limit: 1.5 }, status: 400, code: 'MALFORMED', message: /limit must be a whole number/ },
  { what: 'a limit as a string', method: 'PUT', path: POLICY, body: { limit: '10' }, status: 400, code: 'MALFORMED', message: /limit must be a whole number/ },
  { what: 'a limit above the cap', method: 'PUT', path: POLICY, body: { limit: CAPS.maxLimit + 1 }, status: 400, code: 'MALFORMED', message: /--history-max-limit/ },
  { what: 'maxBytes above the cap', method: 'PUT', path: POLICY, body: { limit: 2, maxBytes: CAPS.maxBytes + 1 }, status: 400, code: 'MALFORMED', message: /--history-max-bytes/ },
  { what: 'types as a string', method: 'PUT', path: POLICY, body: { limit: 2, types: 'chat' }, status: 400, code: 'MALFORMED', message: /types must be a list/ },
  { what: 'an empty topics list', method: 'PUT', path: POLICY, body: { limit: 2, topics: [] }, status: 400, code: 'MALFORMED', message: /topics must be a list/ },
  { what: 'too many types', method: 'PUT', path: POLICY, body: { limit: 2, types: names(MAX_POLICY_NAMES + 1) }, status: 400, code: 'MALFORMED', message: /types must be a list/ },
  { what: 'a number among the types', method: 'PUT', path: POLICY, body: { limit: 2, types: ['chat', 7] }, status: 400, code: 'MALFORMED', message: /must hold strings/ },
  { what: 'an overlong topic', method: 'PUT', path: POLICY, body: { limit: 2, topics: ['t'.repeat(MAX_NAME_LENGTH + 1)] }, status: 400, code: 'MALFORMED', message: /must hold strings/ },
  { what: 'a body above the limit', method: 'PUT', path: POLICY, body: { limit: 2, types: ['x'.repeat(POLICY_BODY_LIMIT)] }, status: 413, code: 'MESSAGE_TOO_LARGE' },
  { what: 'a Content-Type it does not read', method: 'PUT', path: POLICY, raw: 'limit=2', contentType: 'text/plain', status: 400, code: 'MALFORMED', message: /Content-Type/ },
  { what: 'an unknown room', method: 'PUT', path: '/api/rooms/nowhere/history-policy', body: { limit: 2 }, status: 404, code: 'NOT_FOUND' },

  // GET /api/rooms/:room/history
  { what: 'a room name that is not valid percent-encoding', method: 'GET', path: '/api/rooms/%E0%A4%A/history', status: 400, code: 'MALFORMED', message: /room name/ },
  { what: 'an unknown room', method: 'GET', path: '/api/rooms/nowhere/history', status: 404, code: 'NOT_FOUND' },

  // POST /api/rooms/:room/messages with identity targets
  { what: 'toIdentities as a number', method: 'POST', path: MESSAGES, body: { data: 1, toIdentities: 5 }, status: 400, code: 'MALFORMED', message: /"toIdentities"/ },
  { what: 'an empty toIdentities', method: 'POST', path: MESSAGES, body: { data: 1, toIdentities: [] }, status: 400, code: 'MALFORMED', message: /"toIdentities"/ },
  { what: 'an empty identity', method: 'POST', path: MESSAGES, body: { data: 1, toIdentities: ['user-p1', ''] }, status: 400, code: 'MALFORMED', message: /"toIdentities"/ },
  { what: 'a number among the identities', method: 'POST', path: MESSAGES, body: { data: 1, toIdentities: ['user-p1', 2] }, status: 400, code: 'MALFORMED', message: /"toIdentities"/ },
  { what: 'too many identities', method: 'POST', path: MESSAGES, body: { data: 1, toIdentities: names(MAX_TARGETS + 1, 'user-') }, status: 400, code: 'MALFORMED', message: /"toIdentities"/ },
  {
    what: 'too many peers and identities together',
    method: 'POST',
    path: MESSAGES,
    body: { data: 1, to: ['p1'], toIdentities: names(MAX_TARGETS, 'user-') },
    status: 400,
    code: 'MALFORMED',
    message: /at most \d+ recipients together/,
  },
];

describe('HTTP API: bad input to the grants, history and identity-target endpoints', function () {
  this.timeout(10000);
  const rooms = new FakeRooms();
  const bus = new LocalRoomBus('bad-input', { maxBytes: 1024 * 1024, maxAgeMs: 60_000 });
  const { logger } = captureLogger();
  const history = new RoomHistory({ room: 'lobby', defaultPolicy: undefined, caps: CAPS, logger });
  const historyRoom: ApiHistoryRoom = { history };
  let server: TestApp;

  before(async () => {
    const ignore = () => undefined;
    history.attach(
      await bus.openRoom('lobby', { reliable: ignore, readDone: ignore, lossy: ignore, gap: ignore, peerJoined: ignore, peerUpdated: ignore, peerLeft: ignore }),
    );
    const metrics = new Metrics();
    server = await startApp((app) => {
      registerHttpApi(app, { rooms, apiSecret: SECRET, maxMessageSize: MAX_MESSAGE_SIZE, metrics, logger });
      registerHistoryApi(app, {
        apiSecret: SECRET,
        metrics,
        logger,
        rooms: { reach: async (name, use) => (name === 'lobby' ? use(historyRoom) : undefined) },
      });
    });
  });
  after(() => server.close());
  beforeEach(() => {
    rooms.reset();
    rooms.add('lobby', ['p1', 'p2']);
  });

  for (const c of CASES) {
    it(`${c.method} ${c.path.replace('/api/rooms/', '…/')}: refuses ${c.what} with ${c.status} ${c.code}`, async () => {
      const headers: Record<string, string> = { Authorization: `Bearer ${SECRET}` };
      const body = c.raw ?? (c.body === undefined ? undefined : JSON.stringify(c.body));
      if (body !== undefined) headers['Content-Type'] = c.contentType ?? 'application/json';
      const response = await fetch(server.url + c.path, { method: c.method, headers, ...(body === undefined ? {} : { body }) });
      const answer = (await response.json()) as { error?: { code: string; message: string } };
      assert.equal(response.status, c.status, JSON.stringify(answer));
      assert.equal(answer.error?.code, c.code);
      if (c.message) assert.match(answer.error.message, c.message);
      assert.deepEqual([rooms.calls.grants, rooms.calls.sends], [[], []], 'nothing was changed or sent');
      assert.equal(await history.policy(), null, 'the history policy is unchanged');
    });
  }
});
