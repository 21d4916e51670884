import assert from 'node:assert/strict';
import { Participants } from '../src/participant/participants.js';
import type { PeerInfo } from '../src/protocol/index.js';

function peer(id: string, name = id, metadata?: Record<string, unknown>): PeerInfo {
  return { id, identity: `user-${id}`, name, joinedAt: 1, ...(metadata ? { metadata } : {}) };
}

describe('Participants', () => {
  it('keeps the join result and later notifications, never listing itself', () => {
    const list = new Participants();
    list.replace(peer('me'), [peer('a'), peer('me')]);
    assert.deepEqual([...list.peers.keys()], ['a']);
    assert.equal(list.add(peer('b')), true);
    assert.equal(list.add(peer('b')), false);
    assert.equal(list.add(peer('me')), false);
    assert.equal(list.remove('a')?.id, 'a');
    assert.equal(list.remove('a'), undefined);
    assert.deepEqual(list.update(peer('b', 'Bea')), peer('b'));
    assert.equal(list.peers.get('b')?.name, 'Bea');
    assert.equal(list.update(peer('zed')), undefined);
    assert.equal(list.peers.has('zed'), false);
  });

  it('updates itself from a notification about itself', () => {
    const list = new Participants();
    list.replace(peer('me'), []);
    assert.equal(list.update(peer('me', 'New name')), undefined);
    assert.equal(list.self.name, 'New name');
  });

  it('reports what changed when a resume brings a fresh peer list', () => {
    const list = new Participants();
    list.replace(peer('me'), [peer('a'), peer('b'), peer('c', 'c', { role: 'x' })]);
    const changes = list.replace(peer('me'), [peer('b'), peer('c', 'c', { role: 'y' }), peer('d')]);
    assert.deepEqual(changes.left.map((p) => p.id), ['a']);
    assert.deepEqual(changes.joined.map((p) => p.id), ['d']);
    assert.deepEqual(changes.updated.map((u) => [u.peer.metadata, u.previous.metadata]), [[{ role: 'y' }, { role: 'x' }]]);
    assert.deepEqual([...list.peers.keys()], ['b', 'c', 'd']);
  });
});
