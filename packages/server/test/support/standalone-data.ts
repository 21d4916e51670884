import { LocalRoomBus } from '../../src/cluster/local-room-bus.js';
import type { DataRouter } from '../../src/data/data-router.js';

/**
 * Connects a data plane built outside a room (tests, benchmarks) to a room channel of its own
 * on an in-memory bus, as a room does on a single node: messages published go through the
 * channel's numbering and come back to the data plane to be fanned out.
 */
export async function attachLocalBus(data: DataRouter, room = 'standalone'): Promise<void> {
  const bus = new LocalRoomBus('standalone', { maxBytes: 64 * 1024 * 1024, maxAgeMs: 60_000 });
  const channel = await bus.openRoom(room, {
    reliable: (message) => data.receiveReliable(message),
    readDone: () => data.readDone(),
    lossy: (message) => data.receiveLossy(message),
    gap: (fromSeq, toSeq) => data.missed(fromSeq, toSeq),
    peerJoined: () => undefined,
    peerUpdated: () => undefined,
    peerLeft: () => undefined,
  });
  await data.attach(channel);
}
