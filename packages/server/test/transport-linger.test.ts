import assert from 'node:assert/strict';
import { PROTOCOL_VERSION } from '@switchboard/sdk/protocol';
import { RawSignaling } from './support/raw-peer.js';
import { startRawPeers, SETTLE_MS, type RawPeers } from './support/raw-room.js';
import { sleep, waitFor } from './support/test-server.js';

// The server keeps the send transport of a peer whose session ended for this long (see
// PeerPlacement.disconnect), so that the peer closes its outgoing DataChannels itself.
const LINGER_MS = 2000;

describe('The transports of a peer whose signaling dropped', function () {
  this.timeout(20000);
  let room: RawPeers<'alice' | 'bob'>;

  beforeEach(async () => {
    room = await startRawPeers([], { alice: 'linger', bob: 'linger' });
  });

  afterEach(() => room.close());

  it('close its receive side at once and its own DataChannels only later, ignoring what comes through them meanwhile', async () => {
    const { alice, bob } = room.peers;
    room.clearInboxes();
    alice.signaling.ws.terminate();
    const dropped = Date.now();
    await waitFor(() => alice.dataConsumers.every((consumer) => consumer.readyState === 'closed'), 'the receive channels to close');
    assert.deepEqual([alice.channelState('reliable'), alice.channelState('lossy')], ['open', 'open']);
    alice.send('reliable', {});
    alice.send('lossy', {});
    await sleep(SETTLE_MS);
    assert.deepEqual(bob.messagesFromOthers(), [], 'nothing sent after the drop is delivered');
    await waitFor(() => alice.channelState('reliable') === 'closed', 'the send channels to close', LINGER_MS * 3);
    assert.ok(Date.now() - dropped >= LINGER_MS - 100, `closed after ${Date.now() - dropped} ms`);
  });

  it('close at once when the peer resumes meanwhile: its SDK closed them on its side', async () => {
    const { alice } = room.peers;
    alice.signaling.ws.terminate();
    await waitFor(() => alice.dataConsumers.every((consumer) => consumer.readyState === 'closed'), 'the receive channels to close');
    const signaling = await RawSignaling.open(room.t.wsUrl);
    try {
      const resumed = Date.now();
      const result = await signaling.request('join', {
        protocolVersion: PROTOCOL_VERSION,
        resume: { peerId: alice.id, resumeKey: alice.session.resumeKey, lastReceivedSeq: 0 },
      });
      assert.equal(result.resumed, true);
      await waitFor(() => alice.channelState('reliable') === 'closed', 'the old send channels to close', LINGER_MS * 3);
      assert.ok(Date.now() - resumed < LINGER_MS - 500, `closed ${Date.now() - resumed} ms after the resume`);
    } finally {
      signaling.close();
    }
  });
});
