import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { encode, PROTOCOL_VERSION, type ClientRequests } from '@switchboard/sdk/protocol';
import { RawSignaling, RequestFailed } from './support/raw-peer.js';
import { sleep, startTestServer, waitFor, type TestServer } from './support/test-server.js';

type JoinResult = ClientRequests['join']['result'];

/** The error code a request failed with, or 'ok'; fails the test if there is no answer in time. */
async function outcome(promise: Promise<unknown>, what = 'the answer'): Promise<string> {
  const timeout = sleep(10000).then(() => {
    throw new Error(`no answer to ${what} within 10 s`);
  });
  try {
    await Promise.race([promise, timeout]);
    return 'ok';
  } catch (error) {
    if (error instanceof RequestFailed) return error.error.code;
    throw error;
  }
}

/** Opens a socket from `localAddress` and resolves with its close code and reason. */
function openSocket(wsUrl: string, localAddress = '127.0.0.1'): { ws: WebSocket; closed: Promise<{ code: number; reason: string }> } {
  const ws = new WebSocket(`${wsUrl}/rtc`, { localAddress });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  ws.on('error', () => undefined);
  return { ws, closed };
}

function opened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
}

describe('abuse limits', function () {
  this.timeout(30000);

  describe('one peer flooding updateSelf', () => {
    let t: TestServer;
    before(async () => (t = await startTestServer()));
    after(() => t.close());

    it('is refused above the metadata cap, rate limited, then kicked; its victim stays connected', async () => {
      const victim = await RawSignaling.open(t.wsUrl);
      const attacker = await RawSignaling.open(t.wsUrl);
      try {
        await victim.request('join', { protocolVersion: PROTOCOL_VERSION, token: await t.token('flood', 'victim') });
        const self = await attacker.request('join', { protocolVersion: PROTOCOL_VERSION, token: await t.token('flood', 'attacker') });
        const huge = { blob: 'x'.repeat(60_000) };
        assert.equal(await outcome(attacker.request('updateSelf', { metadata: huge })), 'MESSAGE_TOO_LARGE');

        // 50 requests in flight at all times, each fanning out just under the cap.
        const metadata = { blob: 'y'.repeat(t.config.maxMetadataBytes - 100) };
        const outcomes = new Map<string, number>();
        const started = Date.now();
        const worker = async () => {
          while (attacker.closeCode === undefined && Date.now() - started < 4000) {
            const code = await outcome(attacker.request('updateSelf', { metadata }));
            outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
          }
        };
        await Promise.all(Array.from({ length: 50 }, worker));
        const seconds = (Date.now() - started) / 1000;

        assert.ok((outcomes.get('RATE_LIMITED') ?? 0) > 0, `refused with RATE_LIMITED: ${JSON.stringify([...outcomes])}`);
        await waitFor(() => attacker.closeCode !== undefined, 'the attacker to be kicked');
        assert.deepEqual(attacker.notificationsOf('closed').map((n) => (n.data as { reason: string }).reason), ['kicked']);
        await waitFor(() => victim.notificationsOf('peerLeft').length === 1, 'peerLeft for the attacker');
        assert.deepEqual(victim.notificationsOf('peerLeft')[0]?.data, { peerId: self.self.id, reason: 'kicked' });

        // What reached the victim stays within the fan-out budget (one second of burst, then the rate).
        const updateBytes = encode({ metadata }).byteLength;
        const allowed = Math.ceil((t.config.fanoutBytesPerSecond * (seconds + 1)) / updateBytes) + 1;
        const received = victim.notificationsOf('peerUpdated').length;
        assert.ok(received <= allowed, `victim got ${received} updates, budget ${allowed}`);
        assert.equal(victim.closeCode, undefined, 'the victim was never disconnected');
        await victim.request('setTopics', { topics: null });
        assert.ok(t.server.metrics.value('switchboard_rate_limited_total', { class: 'update' }) + t.server.metrics.value('switchboard_rate_limited_total', { class: 'fanout' }) > 0);
        assert.ok(t.server.metrics.value('switchboard_abuse_kicks_total', { class: 'update' }) + t.server.metrics.value('switchboard_abuse_kicks_total', { class: 'fanout' }) === 1);
      } finally {
        victim.close();
        attacker.close();
      }
    });
  });

  describe('tokens, sockets and frames', () => {
    let t: TestServer;
    before(
      async () =>
        (t = await startTestServer(['--join-timeout', '1', '--max-token-ttl', '600'])),
    );
    after(() => t.close());

    const connections = async () => {
      await t.server.metrics.render();
      return t.server.metrics.value('switchboard_signaling_connections');
    };
    const idle = async () => {
      const deadline = Date.now() + 5000;
      while ((await connections()) !== 0) {
        if (Date.now() > deadline) throw new Error('connections did not close');
        await sleep(20);
      }
    };
    afterEach(idle);

    it('refuses tokens without exp, or expiring later than --max-token-ttl allows', async () => {
      const s = await RawSignaling.open(t.wsUrl);
      try {
        const key = new TextEncoder().encode(t.config.tokenSecret);
        const noExp = await new SignJWT({ room: 'r' }).setProtectedHeader({ alg: 'HS256' }).setSubject('u').sign(key);
        const join = (token: string) => s.request('join', { protocolVersion: PROTOCOL_VERSION, token });
        await assert.rejects(join(noExp), (e: RequestFailed) => e.error.code === 'INVALID_TOKEN' && /exp/.test(e.error.message));
        await assert.rejects(join(await t.token('r', 'u', { ttlSeconds: 3600 })), (e: RequestFailed) => e.error.code === 'INVALID_TOKEN' && /max-token-ttl/.test(e.error.message));
        await join(await t.token('r', 'u', { ttlSeconds: 590 }));
      } finally {
        s.close();
      }
    });

    it('caps the size and nesting of metadata alike from a token and from updateSelf', async () => {
      const s = await RawSignaling.open(t.wsUrl);
      try {
        const join = (token: string) => s.request('join', { protocolVersion: PROTOCOL_VERSION, token });
        const big = { blob: 'b'.repeat(t.config.maxMetadataBytes) };
        await assert.rejects(join(await t.token('meta', 'u', { metadata: big })), (e: RequestFailed) => e.error.code === 'MESSAGE_TOO_LARGE');
        const nested = (depth: number): unknown => (depth === 0 ? 1 : { x: nested(depth - 1) });
        await assert.rejects(join(await t.token('meta', 'u', { metadata: { deep: nested(20) } })), (e: RequestFailed) => e.error.code === 'INVALID_TOKEN' && /metadata\.deep/.test(e.error.message));
        await join(await t.token('meta', 'u', { metadata: { deep: nested(10) } }));
        await assert.rejects(s.request('updateSelf', { metadata: big }), (e: RequestFailed) => e.error.code === 'MESSAGE_TOO_LARGE');
        await assert.rejects(s.request('updateSelf', { metadata: { deep: nested(20) } }), (e: RequestFailed) => e.error.code === 'MALFORMED' && /metadata\.deep/.test(e.error.message));
      } finally {
        s.close();
      }
    });

    it('closes a socket that never joins with 4002 after --join-timeout, but not a joined one', async () => {
      const lurker = openSocket(t.wsUrl);
      const member = await RawSignaling.open(t.wsUrl);
      try {
        await member.request('join', { protocolVersion: PROTOCOL_VERSION, token: await t.token('deadline', 'member') });
        const { code, reason } = await lurker.closed;
        assert.equal(code, 4002);
        assert.match(reason, /no join within 1 s/);
        await sleep(1200);
        assert.equal(member.closeCode, undefined);
        assert.equal(t.server.metrics.value('switchboard_join_timeouts_total'), 1);
      } finally {
        member.close();
      }
    });

    it('closes a frame over 64 KiB with 1009 and a reason', async () => {
      const s = openSocket(t.wsUrl);
      await opened(s.ws);
      s.ws.send(new Uint8Array(70 * 1024));
      assert.deepEqual(await s.closed, { code: 1009, reason: 'frame larger than 65536 bytes' });
    });

    it('answers both joins of a same-identity race, each exactly once', async () => {
      const a = await RawSignaling.open(t.wsUrl);
      const b = await RawSignaling.open(t.wsUrl);
      try {
        const [tokenA, tokenB] = [await t.token('race', 'same'), await t.token('race', 'same')];
        const joins = [a, b].map((s, i) => outcome(s.request('join', { protocolVersion: PROTOCOL_VERSION, token: [tokenA, tokenB][i]! }), `join ${i}`));
        const results = await Promise.all(joins);
        assert.ok(results.includes('ok'), results.join());
        assert.ok(results.every((r) => r === 'ok' || r === 'DISCONNECTED'), results.join());
        await sleep(200);
        assert.equal(a.orphanResponses.length + b.orphanResponses.length, 0, 'no second answer');
        assert.deepEqual(t.server.rooms.get('race')?.peers().map((p) => p.identity), ['same']);
      } finally {
        a.close();
        b.close();
      }
    });

    it('repeats at most 64 characters of an unknown method name', async () => {
      const s = await RawSignaling.open(t.wsUrl);
      try {
        const error = await s.request('x'.repeat(60_000) as 'leave', {}).then(
          () => assert.fail('an unknown method succeeded'),
          (e: RequestFailed) => e.error,
        );
        assert.equal(error.code, 'UNKNOWN_METHOD');
        assert.ok(error.message.length < 120, `${error.message.length} characters`);
        assert.match(error.message, /60000 characters/);
      } finally {
        s.close();
      }
    });

    it('refuses control and bidi-override characters in identities and names, alike everywhere', async () => {
      const s = await RawSignaling.open(t.wsUrl);
      try {
        const join = (token: string) => s.request('join', { protocolVersion: PROTOCOL_VERSION, token });
        const invisible = ['ab\u200bcd', 'line\u2028break', '\ufeffbom', 'tag\u{e0041}', 'filler\u3164', '   '];
        for (const bad of ['evil\u202eftp.exe', 'nul\u0000', 'esc\u001b[31m', 'lone\ud800', ...invisible]) {
          await assert.rejects(join(await t.token('names', bad)), (e: RequestFailed) => e.error.code === 'INVALID_TOKEN' && /claim "sub"/.test(e.error.message));
          await assert.rejects(join(await t.token('names', 'ok', { name: bad })), (e: RequestFailed) => e.error.code === 'INVALID_TOKEN' && /claim "name"/.test(e.error.message));
        }
        // Emoji sequences keep their joiners.
        const joined: JoinResult = await join(await t.token('names', 'Zoë 😀', { name: 'Zoë 👩\u200d💻' }));
        assert.equal(joined.self.identity, 'Zoë 😀');
        await assert.rejects(s.request('updateSelf', { name: 'a\u2066b' }), (e: RequestFailed) => e.error.code === 'MALFORMED' && /U\+2066/.test(e.error.message));
        const listed = t.server.rooms.get('names')?.peers()[0];
        assert.equal(listed?.name, 'Zoë 👩\u200d💻');
        const devToken = await fetch(`${t.server.url}/dev/token?room=names&identity=${encodeURIComponent('x\u001by')}`);
        assert.equal(devToken.status, 400);
        assert.match(((await devToken.json()) as { error: { message: string } }).error.message, /U\+001B/);
      } finally {
        s.close();
      }
    });
  });

  describe('connection caps', () => {
    let t: TestServer;
    before(async () => (t = await startTestServer(['--max-connections-per-ip', '3', '--max-connections', '5'])));
    after(() => t.close());

    it('caps connections per IP (4003) and in all (1013), and admits again once some close', async () => {
      const admitted: ReturnType<typeof openSocket>[] = [];
      const admit = async (address: string) => {
        const socket = openSocket(t.wsUrl, address);
        await opened(socket.ws);
        admitted.push(socket);
        return socket;
      };
      try {
        for (let i = 0; i < 3; i++) await admit('127.0.0.1');
        assert.deepEqual(await openSocket(t.wsUrl, '127.0.0.1').closed, { code: 4003, reason: 'too many connections from this address' });
        for (let i = 0; i < 2; i++) await admit('127.0.0.2');
        assert.deepEqual(await openSocket(t.wsUrl, '127.0.0.2').closed, { code: 1013, reason: 'server full: too many connections' });
        await t.server.metrics.render();
        assert.equal(t.server.metrics.value('switchboard_signaling_connections'), 5);
        admitted[0]!.ws.close();
        await admitted[0]!.closed;
        const again = await admit('127.0.0.1');
        await sleep(200);
        assert.equal(again.ws.readyState, WebSocket.OPEN);
        assert.equal(t.server.metrics.value('switchboard_connections_refused_total', { reason: 'per_ip' }), 1);
        assert.equal(t.server.metrics.value('switchboard_connections_refused_total', { reason: 'total' }), 1);
      } finally {
        for (const socket of admitted) socket.ws.close();
      }
    });
  });

  describe('HTTP bodies', () => {
    let t: TestServer;
    before(async () => (t = await startTestServer()));
    after(() => t.close());

    it('answers a message whose data nests 5,000 deep with 400 MALFORMED naming the field', async () => {
      const peer = await RawSignaling.open(t.wsUrl);
      try {
        await peer.request('join', { protocolVersion: PROTOCOL_VERSION, token: await t.token('deep', 'p') });
        const response = await fetch(`${t.server.url}/api/rooms/deep/messages`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${t.config.apiSecret}` },
          body: `{"data":${'['.repeat(5000)}${']'.repeat(5000)}}`,
        });
        assert.equal(response.status, 400);
        const { error } = (await response.json()) as { error: { code: string; message: string } };
        assert.equal(error.code, 'MALFORMED');
        assert.match(error.message, /field "data"/);
      } finally {
        peer.close();
      }
    });
  });
});
