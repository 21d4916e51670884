import assert from 'node:assert/strict';
import { encode } from '@switchboard/sdk/protocol';
import type { RawPeer } from './support/raw-peer.js';
import { rejections, SETTLE_MS, startRawPeers, type RawPeers } from './support/raw-room.js';
import { sleep, waitFor } from './support/test-server.js';

// Raw clients that ignore what they are told: the server alone must enforce a grant change.
describe('grant changes at runtime and identity targets, enforced by the server', function () {
  this.timeout(30000);
  let room: RawPeers<'admin' | 'a' | 'b'>;
  let admin: RawPeer;
  let a: RawPeer;
  let b: RawPeer;

  before(async () => {
    room = await startRawPeers([], { admin: { room: 'room', grants: { admin: true, sendData: true, receiveData: true } }, a: 'room', b: 'room' });
    ({ admin, a, b } = room.peers);
  });

  after(() => room.close());

  it('refuses the messages of a peer whose sendData was revoked, and acks past them', async () => {
    const result = await admin.signaling.request('setGrants', { peerId: a.id, revoke: ['sendData'] });
    assert.equal(result.grants.sendData, false);
    await waitFor(() => a.signaling.notificationsOf('grantsChanged').length === 1, 'a to be told');
    const told = a.signaling.notificationsOf('grantsChanged')[0]!.data as { grants: { sendData: boolean }; previous: { sendData: boolean } };
    assert.deepEqual([told.previous.sendData, told.grants.sendData], [true, false]);
    await waitFor(() => b.signaling.notificationsOf('peerGrantsChanged').length === 1, 'b to be told');
    const seq = a.send('reliable', { type: 'chat', data: encode('muted?') });
    await waitFor(() => rejections(a).some((r) => r.seq === seq), 'the refusal');
    assert.deepEqual(rejections(a).find((r) => r.seq === seq), { seq, code: 'PERMISSION_DENIED' });
    await waitFor(() => a.signaling.notificationsOf('ack').some((n) => (n.data as { seq: number }).seq >= seq), 'the ack that covers it');
    await sleep(SETTLE_MS);
    assert.deepEqual(b.messagesFromOthers(), [], 'nothing reached b');
    await admin.signaling.request('setGrants', { peerId: a.id, grants: ['sendData', 'receiveData', 'publish', 'subscribe'] });
    a.send('reliable', { type: 'chat', data: encode('back') });
    await waitFor(() => b.payloads().includes('back'), 'b to get a again');
  });

  it('resolves identity targets at send time, and refuses unknown ones and malformed lists', async () => {
    const seq = admin.send('reliable', { type: 'dm', data: encode('to b by name'), toIdentities: ['b'] });
    await waitFor(() => b.payloads().includes('to b by name'), 'b to get it');
    assert.equal(b.messagesFromOthers().at(-1)?.targeted, true);
    const unknown = admin.send('reliable', { type: 'dm', data: encode('to nobody'), toIdentities: ['b', 'nobody'] });
    const malformed = admin.send('reliable', { type: 'dm', data: encode('bad list'), toIdentities: [] as string[] });
    await waitFor(() => rejections(admin).length === 2, 'two refusals');
    assert.deepEqual(rejections(admin), [
      { seq: unknown, code: 'UNKNOWN_TARGET' },
      // Refused under its number, read before the bad list: the sender's receipt settles.
      { seq: malformed, code: 'MALFORMED' },
    ]);
    assert.ok(seq < unknown && unknown < malformed);
    await sleep(SETTLE_MS);
    assert.ok(!b.payloads().includes('to nobody'), 'a message with an unknown identity reaches nobody');
  });
});
