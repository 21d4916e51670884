import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { decodeEach, encode, PROTOCOL_VERSION, type ResponseFrame } from '@switchboard/sdk/protocol';
import { validators } from '../src/signaling/request-validation.js';
import { RawPeer } from './support/raw-peer.js';
import { sleep, startTestServer, waitFor, type TestServer } from './support/test-server.js';

// Seeded so a failure can be replayed: FUZZ_SEED=<n> npx mocha packages/server/test/fuzz.test.ts
const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const RANDOM_FRAMES = 1500;
const STRUCTURED_FRAMES = 2000;
const BAD_TOKENS = 200;
const BAD_BODIES = 300;

const ERROR_CODES = new Set([
  'MALFORMED', 'UNSUPPORTED', 'UNKNOWN_METHOD', 'NOT_JOINED', 'ALREADY_JOINED', 'INVALID_TOKEN', 'TOKEN_EXPIRED',
  'PERMISSION_DENIED', 'UNKNOWN_TARGET', 'MESSAGE_TOO_LARGE', 'RATE_LIMITED', 'RESUME_FAILED', 'NOT_FOUND', 'DISCONNECTED',
]);
const HTTP_STATUSES = new Set([200, 400, 401, 403, 404, 405, 413]);
const METHODS = Object.keys(validators);

/** mulberry32: a small, fast, seedable generator. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)] as T;
  const bytes = (n: number): Uint8Array<ArrayBuffer> => Uint8Array.from({ length: n }, () => int(256));
  const text = (n: number) => String.fromCodePoint(...Array.from({ length: n }, () => pick([int(0x80), int(0x10000), 0x202e, 0, 0x1b, 0xd800, int(0x110000)])));
  const value = (depth: number): unknown => {
    switch (int(depth > 0 ? 10 : 7)) {
      case 0: return null;
      case 1: return next() < 0.5;
      case 2: return pick([0, -1, 1, 2 ** 53, -(2 ** 63), 1.5, Number.NaN, Infinity, int(1e9)]);
      case 3: return text(int(40));
      case 4: return bytes(int(64));
      case 5: return pick(['', 'reliable', 'lossy', 'audio', 'video', 'camera', '__proto__', 'x'.repeat(300)]);
      case 6: return undefined;
      case 7: return Array.from({ length: int(5) }, () => value(depth - 1));
      default: {
        const map: Record<string, unknown> = {};
        for (let i = int(6); i > 0; i--) {
          // An own "__proto__" key, as a decoded map may have, not a prototype change.
          const key = pick(['__proto__', 'constructor', 'transportId', 'metadata', 'topics', 'kind', text(4)]);
          Object.defineProperty(map, key, { value: value(depth - 1), enumerable: true, writable: true, configurable: true });
        }
        return map;
      }
    }
  };
  return { next, int, pick, bytes, text, value };
}

/** A raw signaling socket that counts frames sent and answers received. */
class FuzzSocket {
  readonly answers: ResponseFrame[] = [];
  sent = 0;
  closeCode: number | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) =>
      decodeEach(data, (value) => {
        const frame = value as ResponseFrame | { type: 'notification' };
        if (frame.type === 'response') this.answers.push(frame);
      }),
    );
    ws.on('close', (code) => (this.closeCode = code));
  }

  static async open(wsUrl: string): Promise<FuzzSocket> {
    const ws = new WebSocket(`${wsUrl}/rtc`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new FuzzSocket(ws);
  }

  send(frame: Uint8Array | string): void {
    this.sent += 1;
    this.ws.send(frame);
  }

  /** Waits until every frame got its one answer; checks each is typed and none is INTERNAL. */
  async settle(): Promise<void> {
    await waitFor(() => this.answers.length >= this.sent || this.closeCode !== undefined, `${this.sent} answers`, 20000);
    assert.equal(this.closeCode, undefined, 'the server kept the connection');
    await sleep(50);
    assert.equal(this.answers.length, this.sent, 'one answer per frame');
    for (const answer of this.answers) {
      if (!answer.ok) assert.ok(ERROR_CODES.has(answer.error.code), `untyped or internal error: ${JSON.stringify(answer.error)}`);
    }
  }

  close(): void {
    this.ws.close();
  }
}

describe('fuzz: bad frames, tokens and bodies', function () {
  this.timeout(60000);
  const rng = generator(SEED);
  const counts = { frames: 0, tokens: 0, bodies: 0 };
  let t: TestServer;

  before(async () => {
    // Rate limits would refuse most of the fuzz before parsing it; the flood suite covers them.
    t = await startTestServer(['--join-timeout', '60', '--requests-per-second', '100000', '--request-burst', '100000', '--updates-per-second', '100000', '--update-burst', '100000', '--fanout-bytes-per-second', '1073741824']);
  });
  after(async () => {
    await t?.close();
    process.stdout.write(`      seed ${SEED}: ${counts.frames} frames, ${counts.tokens} tokens, ${counts.bodies} HTTP bodies fuzzed\n`);
  });

  async function fuzzFrames(): Promise<void> {
    const unjoined = await FuzzSocket.open(t.wsUrl);
    const joined = await FuzzSocket.open(t.wsUrl);
    try {
      joined.send(encode({ type: 'request', id: 1, method: 'join', data: { protocolVersion: PROTOCOL_VERSION, token: await t.token('fuzz', `fuzzer-${rng.int(1e9)}`) } }));
      await joined.settle();
      for (let i = 0; i < RANDOM_FRAMES; i++) {
        const socket = rng.pick([unjoined, joined]);
        if (rng.next() < 0.05) socket.send(rng.text(rng.int(50)));
        else socket.send(rng.bytes(1 + rng.int(512)));
      }
      let id = 2;
      for (let i = 0; i < STRUCTURED_FRAMES; i++) {
        const socket = rng.pick([unjoined, joined]);
        const method = rng.next() < 0.9 ? rng.pick(METHODS) : rng.pick(['', 'constructor', '__proto__', 'toString', rng.text(10)]);
        // Leaving or rejoining would change what the rest of the run exercises; the other
        // methods get random data.
        if (socket === joined && (method === 'leave' || method === 'join')) continue;
        const frame: Record<string, unknown> = { type: 'request', id: id++, method, data: rng.value(4) };
        if (rng.next() < 0.05) frame.type = rng.value(1);
        if (rng.next() < 0.05) frame.id = rng.value(1);
        socket.send(encode(frame));
      }
      await Promise.all([unjoined.settle(), joined.settle()]);
      counts.frames += unjoined.sent + joined.sent;
    } finally {
      unjoined.close();
      joined.close();
    }
  }

  async function fuzzTokens(): Promise<void> {
    const socket = await FuzzSocket.open(t.wsUrl);
    const right = new TextEncoder().encode(t.config.tokenSecret);
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url');
    try {
      for (let i = 0; i < BAD_TOKENS; i++) {
        let token: string;
        switch (rng.int(4)) {
          case 0:
            token = rng.text(1 + rng.int(200));
            break;
          case 1:
            token = `${b64({ alg: rng.pick(['none', 'HS256', 'RS256', 'HS512']) })}.${b64(rng.value(2))}.${Buffer.from(rng.bytes(32)).toString('base64url')}`;
            break;
          default: {
            // Correctly signed, with random claims.
            const claims = rng.value(2);
            const payload = typeof claims === 'object' && claims !== null && !Array.isArray(claims) && !(claims instanceof Uint8Array) ? claims : { room: claims };
            const jwt = new SignJWT(payload as Record<string, unknown>).setProtectedHeader({ alg: 'HS256' });
            if (rng.next() < 0.7) jwt.setSubject(rng.text(rng.int(20)));
            if (rng.next() < 0.7) jwt.setExpirationTime(Math.floor(Date.now() / 1000) + rng.int(10 ** rng.int(9)) - 100);
            token = await jwt.sign(right);
          }
        }
        socket.send(encode({ type: 'request', id: i + 1, method: 'join', data: { protocolVersion: PROTOCOL_VERSION, token } }));
        // Joins that succeed by chance must leave again so the next one is a join too.
        // Counted against frames sent: a join that succeeded earlier added its leave's answer.
        await waitFor(() => socket.answers.length === socket.sent, 'the join answer');
        if (socket.answers.at(-1)?.ok) {
          socket.send(encode({ type: 'request', id: 100_000 + i, method: 'leave', data: {} }));
          await waitFor(() => socket.answers.length === socket.sent, 'the leave answer');
        }
      }
      await socket.settle();
      counts.tokens += BAD_TOKENS;
    } finally {
      socket.close();
    }
  }

  async function fuzzBodies(): Promise<void> {
    const headers = { Authorization: `Bearer ${t.config.apiSecret}` };
    const targets = ['/api/rooms/fuzz/messages', '/api/rooms/fuzz/peers/nobody/kick', '/dev/token', '/index/api/broadcastMessage'];
    for (let i = 0; i < BAD_BODIES; i++) {
      const path = rng.pick(targets);
      const contentType = rng.pick(['application/json', 'application/msgpack', 'application/x-www-form-urlencoded', 'text/plain', '']);
      const shape = rng.int(3);
      const body: string | Uint8Array<ArrayBuffer> =
        shape === 0
          ? rng.bytes(rng.int(300))
          : shape === 1
            ? JSON.stringify(rng.value(4) ?? null).slice(0, rng.next() < 0.2 ? rng.int(40) : undefined)
            : new Uint8Array(encode({ data: rng.value(4), type: rng.value(1), to: rng.value(1) }));
      const response = await fetch(t.server.url + path, { method: 'POST', headers: { ...headers, 'Content-Type': contentType }, body });
      assert.ok(HTTP_STATUSES.has(response.status), `${path}: status ${response.status}`);
      const answer = (await response.json()) as { error?: { code: string }; code?: number };
      if (answer.error) assert.ok(ERROR_CODES.has(answer.error.code), `${path}: ${JSON.stringify(answer)}`);
    }
    counts.bodies += BAD_BODIES;
  }

  async function serverStillServes(): Promise<void> {
    assert.equal((await fetch(`${t.server.url}/healthz`)).status, 200);
    const grants = { grants: { sendData: true, receiveData: true } };
    const a = await RawPeer.join(t.wsUrl, await t.token('after-fuzz', `a-${rng.int(1e9)}`, grants));
    const b = await RawPeer.join(t.wsUrl, await t.token('after-fuzz', `b-${rng.int(1e9)}`, grants));
    try {
      a.send('reliable', { data: encode('still here') });
      await waitFor(() => b.payloads().includes('still here'), 'a message after the fuzz');
    } finally {
      a.close();
      b.close();
    }
  }

  it('answers every bad frame, token and body with a typed error, and keeps serving with settled memory', async () => {
    const rss: number[] = [];
    for (let round = 0; round < 2; round++) {
      await fuzzFrames();
      await fuzzTokens();
      await fuzzBodies();
      await serverStillServes();
      global.gc?.();
      await sleep(200);
      rss.push(process.memoryUsage().rss);
    }
    // The second round of the same work must not keep growing memory the way a leak would.
    const growth = ((rss[1] as number) - (rss[0] as number)) / 2 ** 20;
    assert.ok(growth < 64, `RSS grew by ${growth.toFixed(1)} MiB over the second round`);
  });
});
