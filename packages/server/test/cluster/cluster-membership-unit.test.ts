import { expect } from 'chai';
import { DEFAULT_GRANTS, SwitchboardError } from '@switchboard/sdk/protocol';
import { ClusterMembership, type LocalPeer } from '../../src/cluster/cluster-membership.js';
import { LocalRoomBus } from '../../src/cluster/local-room-bus.js';
import type { BusHealth, RoomBusHandlers } from '../../src/cluster/room-bus.js';
import { Logger } from '../../src/log.js';

function localPeer(id: string): LocalPeer {
  return { id, identity: `user-${id}`, name: undefined, metadata: undefined, grants: { ...DEFAULT_GRANTS }, joinedAt: 1, resumeKey: `key-${id}`, lastAcceptedSeq: 4 };
}

/** Handlers that record the membership changes the room is told of. */
function recording(events: string[]): RoomBusHandlers {
  return {
    reliable: () => undefined,
    readDone: () => undefined,
    lossy: () => undefined,
    gap: () => undefined,
    peerJoined: (peer) => events.push(`joined ${peer.id}`),
    peerUpdated: (peer) => events.push(`updated ${peer.id}`),
    peerLeft: (peer, reason) => events.push(`left ${peer.id} ${reason}`),
  };
}

describe('cluster membership (on the local bus)', () => {
  it('registers joins and leaves in order, with a hashed resume key, and closes the room after them', async () => {
    const bus = new LocalRoomBus('solo', { maxBytes: 1024, maxAgeMs: 1000 });
    const membership = new ClusterMembership(bus, new Logger('error'));
    const events: string[] = [];
    await membership.open('lobby', recording(events));
    membership.joined('lobby', localPeer('p1'), []);
    membership.joined('lobby', localPeer('p2'), []);
    membership.left('lobby', 'p1');
    membership.joined('lobby', localPeer('p2'), []);
    await membership.drain();
    expect(events).to.deep.equal(['joined p1', 'joined p2', 'left p1 left', 'updated p2'], 'the room is told of each change, in order');
    const [p2] = await bus.roomPeers('lobby');
    expect(p2).to.deep.include({ id: 'p2', node: 'solo', lastSenderSeq: 4 });
    expect(p2!.resumeKeyHash).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(p2!.resumeKeyHash).to.not.include('key-p2');
    membership.left('lobby', 'p2');
    membership.close('lobby');
    // A room of the same name opens again once the old channel is closed.
    await membership.open('lobby', recording([]));
    await membership.drain();
    expect(await bus.roomPeers('lobby')).to.deep.equal([]);
  });

  it('refuses joins with UNAVAILABLE while the bus is unreachable', () => {
    const bus = new LocalRoomBus('solo', { maxBytes: 1024, maxAgeMs: 1000 });
    const down: BusHealth = { mode: 'redis', reachable: false, nodes: ['solo'] };
    const membership = new ClusterMembership(Object.assign(Object.create(bus) as LocalRoomBus, { health: () => down }), new Logger('error'));
    expect(() => membership.assertAvailable()).to.throw(SwitchboardError).with.property('code', 'UNAVAILABLE');
    expect(() => new ClusterMembership(bus, new Logger('error')).assertAvailable()).to.not.throw();
  });
});
