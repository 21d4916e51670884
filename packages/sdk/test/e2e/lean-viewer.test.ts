import assert from 'node:assert/strict';
import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';
import { connect as connectData } from '../../src/data.js';
import { SdkFixture, waitFor } from './sdk-peers.js';

const VIEWER = { grants: { subscribe: true, receiveData: true } };

describe('lean viewers: a peer without sendData or publish has only a receive transport', function () {
  this.timeout(60_000);
  let f: SdkFixture;

  before(async () => (f = await SdkFixture.start()));
  after(() => f?.close());

  function serverPeer(room: string, peerId: string) {
    return f.server.server.rooms.get(room)!.peer(peerId)!;
  }

  it('joins, receives messages, has no send transport on the server, and still refuses to send with typed errors', async () => {
    const host = await f.join('lean', 'host');
    const viewer = await f.join('lean', 'viewer', { claims: VIEWER });
    const token = await f.server.token('lean', 'data-viewer', VIEWER);
    const dataViewer = await connectData(f.server.wsUrl, token, {
      environment: { createWebSocket: (url) => new WebSocket(url), RTCPeerConnection: wrtc.RTCPeerConnection as typeof RTCPeerConnection },
    });
    try {
      for (const id of [viewer.room.peerId, dataViewer.peerId]) {
        const transports = serverPeer('lean', id).transports!;
        assert.equal(transports.send, undefined, 'no send transport');
        assert.ok(transports.recv, 'a receive transport');
      }
      assert.ok(serverPeer('lean', host.room.peerId).transports!.send, 'the host has one');
      const seen: unknown[] = [];
      dataViewer.on('message', (message) => seen.push(message.data));
      await host.room.send('chat', { text: 'hello viewers' });
      await waitFor(() => viewer.inbox.length === 1 && seen.length === 1, 'both viewers to receive');
      await assert.rejects(viewer.room.send('chat', { text: 'no' }), { name: 'MessageError', code: 'PERMISSION_DENIED' });
      await assert.rejects(viewer.room.publish({ kind: 'video' } as MediaStreamTrack), { code: 'PERMISSION_DENIED' });
    } finally {
      await dataViewer.leave();
    }
  });

  it('gets a send transport when granted sendData live: the SDK resumes and its messages arrive', async () => {
    const mod = await f.join('lean-grant', 'mod', { claims: { grants: { admin: true, receiveData: true } } });
    const viewer = await f.join('lean-grant', 'viewer', { claims: VIEWER });
    await mod.room.setGrants(viewer.room.peerId, { grant: ['sendData'] });
    await waitFor(() => viewer.room.grants.sendData, 'the grant to arrive');
    await viewer.room.send('chat', { text: 'now I may' });
    await waitFor(() => mod.inbox.some((m) => m.from === viewer.room.peerId), 'the viewer\'s message', 20_000);
    assert.ok(serverPeer('lean-grant', viewer.room.peerId).transports!.send, 'a send transport after the resume');
  });
});
