import assert from 'node:assert/strict';
import { GRANT_NAMES, PROTOCOL_VERSION, type Grants, type RequestMethod } from '@switchboard/sdk/protocol';
import { RawSignaling, RequestFailed } from './support/raw-peer.js';
import { SETTLE_MS } from './support/raw-room.js';
import { sleep, startTestServer, type TestServer } from './support/test-server.js';

type Joined = RawSignaling & { id: string };

/** A request the server must refuse, and the code it must refuse it with. */
interface BadRequest {
  what: string;
  method: Extract<RequestMethod, 'setGrants' | 'directSignal' | 'leave'>;
  /** The request's parameters, given the target peer's ID. */
  params: (target: string) => unknown;
  code: string;
}

const ALL: Partial<Grants> = { sendData: true, receiveData: true, direct: true, admin: true };

// The signaling requests added with runtime grants and direct channels, and leave's `sent`, fed
// wrong-typed, malformed and oversized parameters (direct-signal.test.ts covers oversized SDP and candidates
// and the signals' own shapes).
const CASES: BadRequest[] = [
  { what: 'no peerId', method: 'setGrants', params: () => ({ revoke: ['sendData'] }), code: 'MALFORMED' },
  { what: 'a number as peerId', method: 'setGrants', params: () => ({ peerId: 7, revoke: ['sendData'] }), code: 'MALFORMED' },
  { what: 'an overlong peerId', method: 'setGrants', params: () => ({ peerId: 'p'.repeat(65), revoke: ['sendData'] }), code: 'MALFORMED' },
  { what: 'no change', method: 'setGrants', params: (target) => ({ peerId: target }), code: 'MALFORMED' },
  { what: 'revoke as a string', method: 'setGrants', params: (target) => ({ peerId: target, revoke: 'sendData' }), code: 'MALFORMED' },
  { what: 'grants as an object', method: 'setGrants', params: (target) => ({ peerId: target, grants: { sendData: false } }), code: 'MALFORMED' },
  { what: 'a number in grant', method: 'setGrants', params: (target) => ({ peerId: target, grant: [3] }), code: 'MALFORMED' },
  { what: 'an unknown grant', method: 'setGrants', params: (target) => ({ peerId: target, revoke: ['fly'] }), code: 'MALFORMED' },
  { what: 'grants with grant', method: 'setGrants', params: (target) => ({ peerId: target, grants: ['sendData'], grant: ['publish'] }), code: 'MALFORMED' },
  { what: 'a grant given and revoked', method: 'setGrants', params: (target) => ({ peerId: target, grant: ['publish'], revoke: ['publish'] }), code: 'MALFORMED' },
  {
    what: 'an overlong list',
    method: 'setGrants',
    params: (target) => ({ peerId: target, revoke: Array(GRANT_NAMES.length * 2 + 1).fill('publish') }),
    code: 'MALFORMED',
  },
  { what: 'a peer not in the room', method: 'setGrants', params: () => ({ peerId: 'nobody', revoke: ['sendData'] }), code: 'NOT_FOUND' },
  { what: 'no to', method: 'directSignal', params: () => ({ channelId: 'x', signal: { type: 'offer', sdp: 'v=0' } }), code: 'MALFORMED' },
  { what: 'a number as to', method: 'directSignal', params: () => ({ to: 7, channelId: 'x', signal: { type: 'offer', sdp: 'v=0' } }), code: 'MALFORMED' },
  { what: 'a number as channelId', method: 'directSignal', params: (target) => ({ to: target, channelId: 7, signal: { type: 'offer', sdp: 'v=0' } }), code: 'MALFORMED' },
  { what: 'a null signal', method: 'directSignal', params: (target) => ({ to: target, channelId: 'x', signal: null }), code: 'MALFORMED' },
  { what: 'a signal as a list', method: 'directSignal', params: (target) => ({ to: target, channelId: 'x', signal: ['offer', 'v=0'] }), code: 'MALFORMED' },
  { what: 'an answer without sdp', method: 'directSignal', params: (target) => ({ to: target, channelId: 'x', signal: { type: 'answer' } }), code: 'MALFORMED' },
  {
    what: 'a number as sdpMid',
    method: 'directSignal',
    params: (target) => ({ to: target, channelId: 'x', signal: { type: 'candidate', candidate: 'c', sdpMid: 0 } }),
    code: 'MALFORMED',
  },
  { what: 'a negative sent', method: 'leave', params: () => ({ sent: -1 }), code: 'MALFORMED' },
  { what: 'a fraction as sent', method: 'leave', params: () => ({ sent: 1.5 }), code: 'MALFORMED' },
  { what: 'a string as sent', method: 'leave', params: () => ({ sent: '3' }), code: 'MALFORMED' },
];

describe('signaling: bad input to setGrants, directSignal and leave', function () {
  this.timeout(30000);
  let t: TestServer;
  let admin: Joined;
  let target: Joined;

  async function joined(identity: string, grants: Partial<Grants>): Promise<Joined> {
    const signaling = await RawSignaling.open(t.wsUrl);
    const result = await signaling.request('join', { protocolVersion: PROTOCOL_VERSION, token: await t.token('room', identity, { grants }) });
    return Object.assign(signaling, { id: result.self.id });
  }

  before(async () => {
    t = await startTestServer();
    admin = await joined('admin', ALL);
    target = await joined('target', ALL);
  });

  after(async () => {
    admin.close();
    target.close();
    await t.close();
  });

  for (const c of CASES) {
    it(`${c.method}: refuses ${c.what} with ${c.code}`, async () => {
      const error = await admin.request(c.method, c.params(target.id) as never).then(
        () => assert.fail('the request succeeded'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof RequestFailed, String(error));
      assert.equal(error.error.code, c.code, error.error.message);
    });
  }

  it('changed nothing and relayed nothing for any of them, and both peers carry on (neither left)', async () => {
    await sleep(SETTLE_MS);
    assert.deepEqual(target.notificationsOf('grantsChanged'), []);
    assert.deepEqual(target.notificationsOf('directSignal'), []);
    const result = await admin.request('setGrants', { peerId: target.id, revoke: ['direct'] });
    assert.equal(result.grants.direct, false);
  });
});
