import assert from 'node:assert/strict';
import { connect, type ConnectOptions } from '../src/connect.js';
import { ServerList } from '../src/connection/server-list.js';
import { RequestError } from '../src/errors.js';
import type { Room } from '../src/room.js';
import { FakeSignalingServer } from './support/fake-server.js';
import { FakeWebRtc } from './support/fake-webrtc.js';

describe('ServerList', () => {
  it('goes through the URLs in order, round the list', () => {
    const list = new ServerList(['a', 'b', 'c']);
    const seen = [list.current];
    for (let i = 0; i < 3; i++) {
      list.next();
      seen.push(list.current);
    }
    assert.deepEqual(seen, ['a', 'b', 'c', 'a']);
    assert.equal(list.size, 3);
  });

  it('shuffles once in random order, then keeps that order', () => {
    // random() = 0 always picks index 0: the shuffle rotates ['a','b','c'] to ['b','c','a'].
    const list = new ServerList(['a', 'b', 'c'], 'random', () => 0);
    const seen = [list.current];
    for (let i = 0; i < 3; i++) {
      list.next();
      seen.push(list.current);
    }
    assert.deepEqual(seen, ['b', 'c', 'a', 'b']);
  });

  it('refuses an empty list', () => {
    assert.throws(() => new ServerList([]), TypeError);
  });
});

describe('connect() with several servers', function () {
  this.timeout(5000);
  let servers: FakeSignalingServer[];
  let rtc: FakeWebRtc;
  let rooms: Room[];

  beforeEach(async () => {
    servers = [await FakeSignalingServer.start(), await FakeSignalingServer.start()];
    rtc = new FakeWebRtc();
    rooms = [];
  });

  afterEach(async () => {
    for (const room of rooms) await room.leave();
    for (const server of servers) await server.close();
  });

  async function join(urls: string[], options: ConnectOptions = {}): Promise<Room> {
    const room = await connect(urls, 'the-token', {
      environment: rtc.environment,
      requestTimeoutMs: 1000,
      reconnect: { timeoutMs: 3000, backoff: { initialDelayMs: 10, maxDelayMs: 50 } },
      ...options,
    });
    rooms.push(room);
    return room;
  }

  it('joins through the next server when the first cannot be reached', async () => {
    const dead = servers[0]!.baseUrl;
    await servers[0]!.close();
    const room = await join([dead, servers[1]!.baseUrl]);
    assert.equal(room.connectionState, 'connected');
    assert.equal(servers[1]!.joins.length, 1);
  });

  it('moves on when a server answers UNAVAILABLE, but not when it refuses the token', async () => {
    servers[0]!.joinError = { code: 'UNAVAILABLE', message: 'Redis is down' };
    await join([servers[0]!.baseUrl, servers[1]!.baseUrl]);
    assert.deepEqual([servers[0]!.joins.length, servers[1]!.joins.length], [1, 1]);

    servers[0]!.joinError = { code: 'INVALID_TOKEN', message: 'bad signature' };
    await assert.rejects(join([servers[0]!.baseUrl, servers[1]!.baseUrl]), (e: unknown) => e instanceof RequestError && e.code === 'INVALID_TOKEN');
    assert.deepEqual([servers[0]!.joins.length, servers[1]!.joins.length], [2, 1]);
  });

  it('fails with the last error when no server works', async () => {
    for (const server of servers) server.joinError = { code: 'UNAVAILABLE', message: 'Redis is down' };
    await assert.rejects(join(servers.map((s) => s.baseUrl)), (e: unknown) => e instanceof RequestError && e.code === 'UNAVAILABLE');
  });

  it('resumes through another server when its own is gone', async () => {
    const room = await join([servers[0]!.baseUrl, servers[1]!.baseUrl]);
    const reconnected = new Promise<void>((resolve) => {
      const stop = room.on('connectionStateChanged', ({ state, previous }) => {
        if (state !== 'connected' || previous !== 'reconnecting') return;
        stop();
        resolve();
      });
    });
    await servers[0]!.close();
    await reconnected;
    assert.equal(servers[1]!.joins.length, 1);
    assert.deepEqual(servers[1]!.joins[0]!.resume, { peerId: 'me', resumeKey: 'resume-secret', lastReceivedSeq: 0, room: 'lobby' }, 'the resume names its room, so any node can take it over');
  });
});
