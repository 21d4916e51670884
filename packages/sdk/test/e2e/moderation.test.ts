import assert from 'node:assert/strict';
import { DEV_SECRETS } from '../../../server/src/config.js';
import type { GrantName } from '../../src/protocol/index.js';
import {
  MessageError,
  MessageRejectedError,
  RequestError,
  TrackError,
  type GrantsChangedEvent,
  type LocalTrackUnpublishedEvent,
  type PeerGrantsChangedEvent,
} from '../../src/index.js';
import { ClusterFixture } from './cluster-peers.js';
import { syntheticMicrophone } from './media-sources.js';
import { SdkFixture, sleep, waitFor, type TestPeer } from './sdk-peers.js';

type Messages = { chat: unknown; burst: unknown; late: unknown };
type Peer = TestPeer<Messages>;

// How long "provably nothing" waits after what did arrive.
const QUIET_MS = 500;
// Low enough that a burst of receipts meets the limit.
const RATE_FLAGS = ['--messages-per-second', '20', '--message-burst', '20'];

interface Fixture {
  join(room: string, identity: string, grants?: readonly GrantName[]): Promise<Peer>;
  /** The HTTP base URL of the node at `index` (0 when there is one). */
  httpUrl(index: number): string;
  close(): Promise<void>;
}

interface Topology {
  readonly name: string;
  /** Nodes the HTTP API can be asked through. */
  readonly nodes: number;
  start(): Promise<Fixture>;
}

const TOPOLOGIES: readonly Topology[] = [
  {
    name: 'one node',
    nodes: 1,
    async start() {
      const f = await SdkFixture.start(RATE_FLAGS);
      return {
        join: (room, identity, grants) =>
          f.join(room, identity, grants === undefined ? {} : { claims: { grants: Object.fromEntries(grants.map((g) => [g, true])) } }),
        httpUrl: () => f.server.server.url,
        close: () => f.close(),
      };
    },
  },
  {
    name: 'three nodes with Redis, peers on different nodes',
    nodes: 3,
    async start() {
      const f = await ClusterFixture.start(3, RATE_FLAGS);
      return {
        join: (room, identity, grants) => f.join(room, identity, grants === undefined ? {} : { claims: { grants } }),
        httpUrl: (index) => f.nodes[index % f.nodes.length]!.url,
        close: () => f.close(),
      };
    },
  },
];

async function patchGrants(url: string, room: string, peerId: string, body: unknown, secret: string = DEV_SECRETS.apiSecret): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/api/rooms/${encodeURIComponent(room)}/peers/${encodeURIComponent(peerId)}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function refusal(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => assert.fail('it resolved'),
    (error: unknown) => error as Error,
  );
}

for (const topology of TOPOLOGIES) {
  describe(`SDK end to end: moderation, identity addressing and send receipts (${topology.name})`, function () {
    this.timeout(60_000);
    // Three server processes and Redis share 2 cores with the peers: a bounded wait can run out.
    if (topology.nodes > 1) this.retries(2);
    let f: Fixture;
    let room = 0;
    const next = (): string => `mod-${++room}`;

    before(async function () {
      this.timeout(90_000);
      f = await topology.start();
    });
    after(() => f.close());

    it('revokes sendData and receiveData live through an admin SDK call, telling the peer and the room', async () => {
      const name = next();
      const mod = await f.join(name, 'mod', ['admin', 'sendData', 'receiveData']);
      const bob = await f.join(name, 'bob');
      const carol = await f.join(name, 'carol');
      await waitFor(() => mod.room.peers.size === 2 && bob.room.peers.size === 2 && carol.room.peers.size === 2, 'everyone to see everyone');
      const bobEvents: GrantsChangedEvent[] = [];
      bob.room.on('grantsChanged', (event) => bobEvents.push(event));
      const seenByCarol: PeerGrantsChangedEvent[] = [];
      carol.room.on('peerGrantsChanged', (event) => seenByCarol.push(event));

      const grants = await mod.room.setGrants(bob.room.peerId, { revoke: ['sendData'] });
      assert.equal(grants.sendData, false);
      assert.equal(grants.receiveData, true);
      await waitFor(() => bobEvents.length === 1 && seenByCarol.length === 1, 'bob and carol to be told');
      assert.equal(bobEvents[0]!.previous.sendData, true);
      assert.equal(bobEvents[0]!.grants.sendData, false);
      assert.equal(bob.room.grants.sendData, false);
      assert.deepEqual([seenByCarol[0]!.peerId, seenByCarol[0]!.grants.sendData], [bob.room.peerId, false]);
      const muted = await refusal(bob.room.send('chat', { text: 'spam' }, { receipt: true }));
      assert.ok(muted instanceof MessageError && muted.code === 'PERMISSION_DENIED');

      // receiveData revoked: broadcasts skip carol, and a message to her is refused as the server accepts it.
      const modSeesCarol = new Promise<void>((resolve) => mod.room.on('peerGrantsChanged', (e) => e.peerId === carol.room.peerId && resolve()));
      await mod.room.setGrants(carol.room.peerId, { revoke: ['receiveData'] });
      // In a cluster, mod's node checks targets against carol's record, which follows the change.
      await modSeesCarol;
      await mod.room.send('chat', { text: 'not for carol' });
      await waitFor(() => bob.inbox.length === 1, 'bob to get the broadcast');
      const toCarol = await refusal(mod.room.send('chat', { text: 'psst' }, { to: carol.room.peerId, receipt: true }));
      assert.ok(toCarol instanceof MessageRejectedError && toCarol.code === 'PERMISSION_DENIED', String(toCarol));
      await sleep(QUIET_MS);
      assert.equal(carol.inbox.length, 0, 'carol got nothing');

      // Given back: both work again.
      await mod.room.setGrants(bob.room.peerId, { grant: ['sendData'] });
      await mod.room.setGrants(carol.room.peerId, { grant: ['receiveData'] });
      await waitFor(() => bob.room.grants.sendData && carol.room.grants.receiveData, 'the grants to come back');
      await bob.room.send('chat', { text: 'back' });
      await waitFor(() => carol.inbox.length === 1 && mod.inbox.length === 1, 'carol and mod to get bob again');
      assert.deepEqual(carol.inbox[0]!.data, { text: 'back' });
    });

    it('refuses grant changes from non-admins, for unknown peers and with bad grant names', async () => {
      const name = next();
      const mod = await f.join(name, 'mod', ['admin', 'sendData', 'receiveData']);
      const bob = await f.join(name, 'bob');
      await waitFor(() => bob.room.peers.size === 1, 'bob to see mod');
      const notAdmin = await refusal(bob.room.setGrants(mod.room.peerId, { revoke: ['sendData'] }));
      assert.ok(notAdmin instanceof RequestError && notAdmin.code === 'PERMISSION_DENIED', String(notAdmin));
      const unknown = await refusal(mod.room.setGrants('no-such-peer', { revoke: ['sendData'] }));
      assert.ok(unknown instanceof RequestError && unknown.code === 'NOT_FOUND', String(unknown));
      const badName = await refusal(mod.room.setGrants(bob.room.peerId, ['sendData', 'fly' as GrantName]));
      assert.ok(badName instanceof RequestError && badName.code === 'MALFORMED', String(badName));
      assert.match(badName.message, /unknown grant "fly"/);
      const both = await refusal(mod.room.setGrants(bob.room.peerId, { grant: ['publish'], revoke: ['publish'] }));
      assert.ok(both instanceof RequestError && both.code === 'MALFORMED', String(both));
      assert.equal(bob.room.grants.sendData, true, 'nothing changed');
    });

    it('changes grants through PATCH /api/rooms/:room/peers/:peer on any node, with typed errors for bad requests', async () => {
      const name = next();
      const alice = await f.join(name, 'alice');
      const bob = await f.join(name, 'bob');
      await waitFor(() => alice.room.peers.size === 1, 'alice to see bob');
      const told = new Promise<GrantsChangedEvent>((resolve) => bob.room.once('grantsChanged', resolve));
      // Asked through the last node: in a cluster, not the one bob is connected through.
      const url = f.httpUrl(topology.nodes - 1);
      const answer = await patchGrants(url, name, bob.room.peerId, { grants: ['receiveData', 'subscribe'] });
      assert.deepEqual(answer, { status: 200, body: { grants: ['subscribe', 'receiveData'] } });
      assert.deepEqual([(await told).grants.sendData, (await told).grants.publish], [false, false]);
      await waitFor(() => !bob.room.grants.sendData, 'bob to know');

      const bad = async (room: string, peerId: string, body: unknown, secret?: string) => {
        const { status, body: answered } = await patchGrants(url, room, peerId, body, secret);
        return [status, (answered.error as { code: string }).code];
      };
      assert.deepEqual(await bad(name, 'no-such-peer', { revoke: ['sendData'] }), [404, 'NOT_FOUND']);
      assert.deepEqual(await bad('no-such-room', bob.room.peerId, { revoke: ['sendData'] }), [404, 'NOT_FOUND']);
      assert.deepEqual(await bad(name, bob.room.peerId, { grants: ['sendData', 'teleport'] }), [400, 'MALFORMED']);
      assert.deepEqual(await bad(name, bob.room.peerId, { grants: [], revoke: ['publish'] }), [400, 'MALFORMED']);
      assert.deepEqual(await bad(name, bob.room.peerId, { mute: true }), [400, 'MALFORMED']);
      assert.deepEqual(await bad(name, bob.room.peerId, {}), [400, 'MALFORMED']);
      assert.deepEqual(await bad(name, bob.room.peerId, { revoke: ['sendData'] }, 'wrong-secret'), [401, 'PERMISSION_DENIED']);
      assert.equal(bob.room.grants.receiveData, true, 'the refused requests changed nothing');
    });

    it('revoking publish ends the peer\'s tracks and refuses new ones; revoking subscribe ends its subscriptions', async () => {
      const name = next();
      const viewer = await f.join(name, 'viewer');
      const host = await f.join(name, 'host');
      const microphone = syntheticMicrophone();
      try {
        const track = await host.room.publish(microphone.track, { source: 'microphone' });
        await waitFor(() => viewer.room.tracks.get(track.id)?.subscribed === true, 'the viewer to subscribe', 15_000);
        const unpublished = new Promise<LocalTrackUnpublishedEvent>((resolve) => host.room.once('localTrackUnpublished', resolve));
        const gone = new Promise<void>((resolve) => viewer.room.on('trackUnpublished', () => resolve()));

        await patchGrants(f.httpUrl(0), name, host.room.peerId, { revoke: ['publish'] });
        const ended = await unpublished;
        assert.equal(ended.reason, 'failed');
        assert.equal(ended.error?.code, 'PERMISSION_DENIED');
        await gone;
        const again = await refusal(host.room.publish(microphone.track, { source: 'microphone' }));
        assert.ok(again instanceof TrackError && again.code === 'PERMISSION_DENIED', String(again));

        await patchGrants(f.httpUrl(0), name, host.room.peerId, { grant: ['publish'] });
        await waitFor(() => host.room.grants.publish, 'the host to get publish back');
        const second = await host.room.publish(microphone.track, { source: 'microphone' });
        await waitFor(() => viewer.room.tracks.get(second.id)?.subscribed === true, 'the viewer to subscribe again', 15_000);
        await patchGrants(f.httpUrl(0), name, viewer.room.peerId, { revoke: ['subscribe'] });
        await waitFor(() => viewer.room.tracks.get(second.id)?.mediaStreamTrack === undefined, 'the reception to end');
        assert.equal(viewer.room.grants.subscribe, false);
      } finally {
        microphone.stop();
      }
    });

    it('addresses messages by identity, resolved at send time, across a new session of that identity', async () => {
      const name = next();
      const alice = await f.join(name, 'alice');
      let bob = await f.join(name, 'bob');
      const carol = await f.join(name, 'carol');
      await waitFor(() => alice.room.peers.size === 2, 'alice to see bob and carol');
      await alice.room.send('chat', { n: 1 }, { to: { identities: ['bob'] } });
      await waitFor(() => bob.inbox.length === 1, 'bob to get it');
      assert.deepEqual([bob.inbox[0]!.data, bob.inbox[0]!.targeted, bob.inbox[0]!.from], [{ n: 1 }, true, alice.room.peerId]);

      const unknown = await refusal(alice.room.send('chat', { n: 2 }, { to: { identities: ['bob', 'mallory'] }, receipt: true }));
      assert.ok(unknown instanceof MessageRejectedError && unknown.code === 'UNKNOWN_TARGET', String(unknown));
      assert.match(unknown.message, /mallory/);

      // Bob joins again: a new session with a new peer ID; his identity still reaches him.
      const oldId = bob.room.peerId;
      await bob.room.leave();
      await waitFor(() => !alice.room.peers.has(oldId), 'alice to see bob go');
      const gone = await refusal(alice.room.send('chat', { n: 3 }, { to: { identities: ['bob'] }, receipt: true }));
      assert.ok(gone instanceof MessageRejectedError && gone.code === 'UNKNOWN_TARGET', String(gone));
      bob = await f.join(name, 'bob');
      assert.notEqual(bob.room.peerId, oldId);
      await waitFor(() => [...alice.room.peers.values()].some((p) => p.identity === 'bob'), 'alice to see bob again');
      await alice.room.send('chat', { n: 4 }, { to: { identities: ['bob'], peers: [carol.room.peerId] } });
      await waitFor(() => bob.inbox.length === 1 && carol.inbox.length === 1, 'the new bob and carol');
      assert.deepEqual(bob.inbox[0]!.data, { n: 4 });
      await sleep(QUIET_MS);
      assert.deepEqual(carol.inbox.map((m) => m.data), [{ n: 4 }], 'carol got only the message that named her');
    });

    it('with receipt: true, settles each receipt with the server\'s verdict: accepted ones arrive, refused ones reject RATE_LIMITED', async () => {
      const name = next();
      const sender = await f.join(name, 'sender');
      const receiver = await f.join(name, 'receiver');
      await waitFor(() => sender.room.peers.size === 1, 'sender to see receiver');
      const outcomes = await Promise.allSettled(Array.from({ length: 60 }, (_, i) => sender.room.send('burst', { i }, { receipt: true })));
      const accepted = outcomes.filter((o) => o.status === 'fulfilled').length;
      const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as MessageRejectedError] : []));
      assert.ok(refused.length > 0 && accepted > 0, `some accepted (${accepted}), some refused (${refused.length})`);
      assert.ok(refused.every((e) => e instanceof MessageRejectedError && e.code === 'RATE_LIMITED'), 'every refusal is RATE_LIMITED');
      await waitFor(() => receiver.inbox.length === accepted, 'every accepted message to arrive');
      await sleep(QUIET_MS);
      assert.equal(receiver.inbox.length, accepted, 'nothing refused arrived');
      const refusedNumbers = new Set(refused.map((e) => e.seq));
      assert.equal(refusedNumbers.size, refused.length, 'each refusal names its own message');
      // At default options: resolves once handed to the channel, whatever the server decides.
      await sleep(1500);
      await sender.room.send('late', null);
      await waitFor(() => receiver.inbox.some((m) => m.type === 'late'), 'the fire-and-forget message');
    });
  });
}
