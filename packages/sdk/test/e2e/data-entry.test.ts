import assert from 'node:assert/strict';
import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';
import { connect, type Room } from '../../src/data.js';
import { SdkFixture, waitFor } from './sdk-peers.js';

type Messages = { chat: { text: string } };

describe('data-only entry point (@switchboard/sdk/data) against the server', function () {
  this.timeout(30000);
  let f: SdkFixture;
  const rooms: Room<Messages>[] = [];

  before(async () => (f = await SdkFixture.start()));
  after(async () => {
    await Promise.all(rooms.map((room) => room.leave()));
    await f?.close();
  });

  async function joinData(identity: string): Promise<{ room: Room<Messages>; inbox: string[] }> {
    const token = await f.server.token('mixed', identity);
    const room = await connect<Messages>(f.server.wsUrl, token, {
      environment: { createWebSocket: (url) => new WebSocket(url), RTCPeerConnection: wrtc.RTCPeerConnection as typeof RTCPeerConnection },
    });
    rooms.push(room);
    const inbox: string[] = [];
    room.on('message:chat', (message) => inbox.push(`${message.from}:${message.data.text}`));
    return { room, inbox };
  }

  it('exchanges broadcast, targeted and RPC messages with a full-SDK peer over its own SCTP-only transports', async () => {
    const full = await f.join<Messages>('mixed', 'full');
    const data = await joinData('data-only');
    assert.ok(data.room.peers.has(full.room.peerId));
    await data.room.send('chat', { text: 'from data' });
    await full.room.send('chat', { text: 'to data' }, { to: data.room.peerId });
    await full.room.send('chat', { text: 'lossy' }, { reliable: false });
    await waitFor(() => full.inbox.some((m) => m.from === data.room.peerId), 'the data-only broadcast');
    await waitFor(() => data.inbox.length >= 2, 'messages at the data-only peer');
    assert.deepEqual(data.inbox.slice(0, 1), [`${full.room.peerId}:to data`]);
    full.room.handle('echo', (request: unknown) => request);
    assert.deepEqual(await data.room.rpc(full.room.peerId, 'echo', { n: 1 }), { n: 1 });
  });

  it('refuses publish with UNSUPPORTED and sees no tracks', async () => {
    const { room } = await joinData('data-only-2');
    assert.equal(room.tracks.size, 0);
    await assert.rejects(room.publish({} as MediaStreamTrack), { code: 'UNSUPPORTED' });
  });
});
