import assert from 'node:assert/strict';
import { MAX_CANDIDATE_LENGTH, MAX_SDP_LENGTH, PROTOCOL_VERSION, type DirectSignal, type Grants } from '@switchboard/sdk/protocol';
import { RawSignaling, RequestFailed } from './support/raw-peer.js';
import { sleep, startTestServer, waitFor, type TestServer } from './support/test-server.js';

const WITH_DIRECT: Partial<Grants> = { sendData: true, receiveData: true, direct: true };
const OFFER: DirectSignal = { type: 'offer', sdp: 'v=0\r\n' };

async function joined(t: TestServer, room: string, identity: string, grants: Partial<Grants>): Promise<RawSignaling & { id: string }> {
  const signaling = await RawSignaling.open(t.wsUrl);
  const result = await signaling.request('join', { protocolVersion: PROTOCOL_VERSION, token: await t.token(room, identity, { grants }) });
  return Object.assign(signaling, { id: result.self.id });
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => assert.fail('the request succeeded'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof RequestFailed, String(error));
  return error.error.code;
}

describe('server: direct channel signaling relay', function () {
  this.timeout(30000);
  let t: TestServer;
  let a: RawSignaling & { id: string };
  let b: RawSignaling & { id: string };
  let c: RawSignaling & { id: string };
  let plain: RawSignaling & { id: string };
  let other: RawSignaling & { id: string };

  before(async () => {
    t = await startTestServer(['--direct-signals-per-second', '5', '--direct-signal-burst', '30', '--rate-limit-kick-after', '0']);
    a = await joined(t, 'direct', 'alice', WITH_DIRECT);
    b = await joined(t, 'direct', 'bob', WITH_DIRECT);
    c = await joined(t, 'direct', 'carol', WITH_DIRECT);
    plain = await joined(t, 'direct', 'dave', { sendData: true, receiveData: true });
    other = await joined(t, 'elsewhere', 'erin', WITH_DIRECT);
  });

  after(async () => {
    for (const s of [a, b, c, plain, other]) s.close();
    await t.close();
  });

  it('relays a signal to its target only, stamped with the sender', async () => {
    await a.request('directSignal', { to: b.id, channelId: 'ch1', signal: OFFER });
    const candidate: DirectSignal = { type: 'candidate', candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    await b.request('directSignal', { to: a.id, channelId: 'ch1', signal: candidate });
    await waitFor(() => b.notificationsOf('directSignal').length === 1 && a.notificationsOf('directSignal').length === 1, 'both signals');
    assert.deepEqual(b.notificationsOf('directSignal')[0]?.data, { from: a.id, channelId: 'ch1', signal: OFFER });
    assert.deepEqual(a.notificationsOf('directSignal')[0]?.data, { from: b.id, channelId: 'ch1', signal: candidate });
    await sleep(300);
    assert.deepEqual(c.notificationsOf('directSignal'), [], 'a third peer sees nothing');
  });

  it('relays only the known fields of a signal', async () => {
    const before = b.notificationsOf('directSignal').length;
    await a.request('directSignal', { to: b.id, channelId: 'ch2', signal: { type: 'close', reason: 'bye', extra: 'x'.repeat(100) } as unknown as DirectSignal });
    await waitFor(() => b.notificationsOf('directSignal').length === before + 1, 'the close');
    assert.deepEqual(b.notificationsOf('directSignal').at(-1)?.data, { from: a.id, channelId: 'ch2', signal: { type: 'close', reason: 'bye' } });
  });

  it('refuses a sender or target without the direct grant', async () => {
    assert.equal(await refusal(plain.request('directSignal', { to: a.id, channelId: 'x', signal: OFFER })), 'PERMISSION_DENIED');
    assert.equal(await refusal(a.request('directSignal', { to: plain.id, channelId: 'x', signal: OFFER })), 'PERMISSION_DENIED');
  });

  it('refuses unknown peers, peers of other rooms, and oneself', async () => {
    assert.equal(await refusal(a.request('directSignal', { to: 'nobody', channelId: 'x', signal: OFFER })), 'UNKNOWN_TARGET');
    assert.equal(await refusal(a.request('directSignal', { to: other.id, channelId: 'x', signal: OFFER })), 'UNKNOWN_TARGET');
    assert.equal(await refusal(a.request('directSignal', { to: a.id, channelId: 'x', signal: OFFER })), 'UNKNOWN_TARGET');
  });

  it('refuses oversized SDP and candidates as MESSAGE_TOO_LARGE, malformed signals as MALFORMED', async () => {
    const big: DirectSignal = { type: 'offer', sdp: 'a'.repeat(MAX_SDP_LENGTH + 1) };
    assert.equal(await refusal(a.request('directSignal', { to: b.id, channelId: 'x', signal: big })), 'MESSAGE_TOO_LARGE');
    const longCandidate: DirectSignal = { type: 'candidate', candidate: 'c'.repeat(MAX_CANDIDATE_LENGTH + 1) };
    assert.equal(await refusal(a.request('directSignal', { to: b.id, channelId: 'x', signal: longCandidate })), 'MESSAGE_TOO_LARGE');
    const malformed = [
      { to: b.id, channelId: 'x', signal: { type: 'gossip' } },
      { to: b.id, channelId: 'x', signal: { type: 'offer', sdp: 42 } },
      { to: b.id, channelId: '', signal: OFFER },
      { to: b.id, channelId: 'x'.repeat(65), signal: OFFER },
      { to: b.id, channelId: 'x', signal: 'offer' },
      { to: b.id, channelId: 'x', signal: { type: 'candidate', candidate: 'c', sdpMLineIndex: -1 } },
    ];
    for (const params of malformed) {
      assert.equal(await refusal(a.request('directSignal', params as never)), 'MALFORMED', JSON.stringify(params));
    }
  });

  it('rate-limits floods of signals with RATE_LIMITED, and the peers carry on', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 80 }, () => c.request('directSignal', { to: b.id, channelId: 'flood', signal: OFFER }).then(() => 'ok', (e: RequestFailed) => e.error.code)),
    );
    assert.ok(outcomes.filter((o) => o === 'ok').length <= 35, `most were admitted: ${outcomes.join(',')}`);
    assert.ok(outcomes.includes('RATE_LIMITED'), 'some were refused');
    assert.deepEqual([...new Set(outcomes)].sort(), ['RATE_LIMITED', 'ok']);
    // Another connection's budget is its own.
    await a.request('directSignal', { to: b.id, channelId: 'after', signal: OFFER });
    await waitFor(() => b.notificationsOf('directSignal').some((n) => (n.data as { channelId: string }).channelId === 'after'), 'a signal after the flood');
  });

  it('refuses a signal to a peer that left', async () => {
    const leaver = await joined(t, 'direct', 'frank', WITH_DIRECT);
    await leaver.request('leave', {});
    assert.equal(await refusal(a.request('directSignal', { to: leaver.id, channelId: 'x', signal: OFFER })), 'UNKNOWN_TARGET');
    leaver.close();
  });
});
