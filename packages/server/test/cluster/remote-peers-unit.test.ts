import assert from 'node:assert/strict';
import { DEFAULT_GRANTS } from '@switchboard/sdk/protocol';
import type { BusPeer } from '../../src/cluster/room-bus.js';
import type { DataRouter } from '../../src/data/data-router.js';
import { Logger } from '../../src/log.js';
import { RemotePeers } from '../../src/rooms/remote-peers.js';

function record(extra: Partial<BusPeer> = {}): BusPeer {
  return { id: 'p1', identity: 'alice', grants: { ...DEFAULT_GRANTS }, node: 'b', joinedAt: 1, tracks: [], resumeKeyHash: 'h', lastSenderSeq: 0, ...extra };
}

// What this node's peers are told about the record changes of another node's peer.
describe('RemotePeers: notifications from record changes of other nodes’ peers', () => {
  it('tells peerUpdated only when what peers see changed, not for a takeover or a sender number', () => {
    const told: Array<[string, unknown]> = [];
    const remote = new RemotePeers('a', { broadcast: (method, data) => told.push([method, data]), removedHere: () => undefined, isLocal: () => false }, new Logger('error'));
    const handlers = remote.handlers({} as DataRouter);
    handlers.peerJoined(record());
    told.length = 0;
    // Taken over by node c after its node died, then its sender number moved on.
    handlers.peerUpdated(record({ node: 'c', resumeKeyHash: 'h2' }));
    handlers.peerUpdated(record({ node: 'c', resumeKeyHash: 'h2', lastSenderSeq: 12 }));
    assert.equal(told.length, 0, `told ${JSON.stringify(told)}`);
    handlers.peerUpdated(record({ node: 'c', name: 'Alice' }));
    assert.deepEqual(told, [['peerUpdated', { peer: { id: 'p1', identity: 'alice', joinedAt: 1, name: 'Alice' } }]]);
    told.length = 0;
    handlers.peerUpdated(record({ node: 'c', name: 'Alice', grants: { ...DEFAULT_GRANTS, publish: false } }));
    assert.deepEqual(told.map(([method]) => method), ['peerGrantsChanged']);
  });
});
