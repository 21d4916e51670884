import assert from 'node:assert/strict';
import { DisconnectedError, IceLoopbackError, TimeoutError } from '../src/errors.js';
import type { RequestMethod, TransportInfo } from '../src/protocol/index.js';
import { RtcSession, type RtcSessionOptions } from '../src/transport/rtc-session.js';
import { FakeWebRtc } from './support/fake-webrtc.js';
import { joinResult } from './support/join-result.js';

describe('RtcSession over fake WebRTC', () => {
  let rtc: FakeWebRtc;
  let requests: Array<{ method: RequestMethod; data: unknown }>;
  let failures: DisconnectedError[];
  let sessions: RtcSession[];

  beforeEach(() => {
    rtc = new FakeWebRtc();
    requests = [];
    failures = [];
    sessions = [];
  });

  afterEach(() => {
    for (const session of sessions) session.close();
  });

  function session(overrides: Partial<RtcSessionOptions> = {}): RtcSession {
    const created = new RtcSession({
      environment: rtc.environment,
      join: joinResult(),
      request: async (method, data) => {
        requests.push({ method, data });
        return (method === 'produceData' ? { id: `producer-${requests.length}` } : {}) as never;
      },
      onData: () => undefined,
      onFailure: (error) => failures.push(error),
      openTimeoutMs: 1000,
      disconnectedGraceMs: 40,
      ...overrides,
    });
    sessions.push(created);
    return created;
  }

  it('opens a reliable and a lossy channel and mirrors the server consumers', async () => {
    const rtcSession = session();
    await rtcSession.start();
    assert.equal(rtcSession.channels?.reliable.readyState, 'open');
    assert.equal(rtcSession.channels?.lossy.label, 'lossy');
    assert.deepEqual(rtc.consumers.map((consumer) => consumer.label).sort(), ['lossy', 'reliable']);
    assert.deepEqual(requests.filter((r) => r.method === 'produceData').length, 2);
    assert.deepEqual(requests.filter((r) => r.method === 'connectTransport').length, 2);
  });

  it('produces nothing without the sendData grant', async () => {
    const rtcSession = session({ join: joinResult({ grants: { sendData: false } }) });
    await rtcSession.start();
    assert.equal(rtcSession.channels, undefined);
    assert.equal(requests.filter((r) => r.method === 'produceData').length, 0);
  });

  it('times out when the channels do not open', async () => {
    rtc.autoOpen = false;
    await assert.rejects(session({ openTimeoutMs: 30 }).start(), (error: unknown) => error instanceof TimeoutError);
    assert.ok(rtc.transports.every((transport) => transport.closed));
  });

  it('rejects start when closed meanwhile', async () => {
    rtc.autoOpen = false;
    const rtcSession = session();
    const starting = rtcSession.start();
    setTimeout(() => rtcSession.close(), 10);
    await assert.rejects(starting, (error: unknown) => error instanceof DisconnectedError);
  });

  it('reports a failed transport, and one disconnected for longer than the grace period', async () => {
    const first = session();
    await first.start();
    rtc.setConnectionState(rtc.transports[0]!, 'failed');
    assert.equal(failures.length, 1);
    assert.ok(rtc.transports.slice(0, 2).every((transport) => transport.closed));

    const second = session();
    await second.start();
    const [send] = rtc.transports.slice(2);
    rtc.setConnectionState(send!, 'disconnected');
    await new Promise((resolve) => setTimeout(resolve, 20));
    rtc.setConnectionState(send!, 'connected');
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(failures.length, 1, 'a short disconnection is not a failure');
    rtc.setConnectionState(send!, 'disconnected');
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(failures.length, 2);
    assert.match(failures[1]!.message, /stayed disconnected/);
  });

  describe('when ICE fails while opening', () => {
    // The server's candidates moved to `address`, as a server listening there announces them.
    function on(address: string, transport: TransportInfo): TransportInfo {
      return { ...transport, iceCandidates: transport.iceCandidates.map((candidate) => ({ ...candidate, address })) };
    }

    async function failWhileOpening(address: string): Promise<unknown> {
      rtc.autoOpen = false;
      const join = joinResult();
      const starting = session({ join: { ...join, sendTransport: on(address, join.sendTransport!), recvTransport: on(address, join.recvTransport) } }).start();
      while (rtc.transports.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      rtc.setConnectionState(rtc.transports[0]!, 'failed');
      return starting.then(() => undefined, (error: unknown) => error);
    }

    it('rejects with IceLoopbackError naming the cause when every server candidate is a loopback address', async () => {
      const error = await failWhileOpening('127.0.0.1');
      assert.ok(error instanceof IceLoopbackError, String(error));
      assert.equal(error.code, 'ICE_LOOPBACK_ONLY');
      assert.deepEqual(error.addresses, ['127.0.0.1']);
      assert.match(error.message, /^the send transport failed: the server announced only loopback addresses \(127\.0\.0\.1\).*--rtc-lan-ip/);
      assert.ok(rtc.transports.every((transport) => transport.closed));
    });

    it('rejects with a plain DisconnectedError when the server announced a reachable address', async () => {
      const error = await failWhileOpening('192.0.2.10');
      assert.ok(error instanceof DisconnectedError && !(error instanceof IceLoopbackError), String(error));
      assert.equal((error as DisconnectedError).message, 'the send transport failed');
    });
  });
});
