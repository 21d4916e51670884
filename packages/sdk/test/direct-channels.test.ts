import assert from 'node:assert/strict';
import { DirectChannels, type ChannelModule, type DirectEvents, type DirectRequest } from '../src/direct/direct-channels.js';
import { Emitter } from '../src/events.js';
import type { DirectSignal, Grants, PeerInfo } from '../src/protocol/index.js';

const GRANTS: Grants = { publish: false, subscribe: false, sendData: true, receiveData: true, admin: false, direct: true };
const PEER = { id: 'p-a', name: 'A', identity: 'a', metadata: {}, tracks: [] } as unknown as PeerInfo;

/** Direct channels of a room with one other peer, whose channel code loads when `release` is called. */
function setUp(options: { incoming?: 'ask' | 'refuse'; fail?: boolean } = {}) {
  const emitter = new Emitter<DirectEvents>();
  const signals: { to: string; channelId: string; signal: DirectSignal }[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let loads = 0;
  const channels = new DirectChannels(
    {
      grants: () => GRANTS,
      peer: (peerId) => (peerId === PEER.id ? PEER : undefined),
      iceServers: () => [],
      signal: async (to, channelId, signal) => {
        signals.push({ to, channelId, signal });
      },
      relay: async () => undefined,
      maxFrameSize: () => 65_536,
      emitter,
    },
    { incoming: options.incoming ?? 'ask' },
    undefined,
    async (): Promise<ChannelModule> => {
      loads++;
      await released;
      if (options.fail) throw new Error('chunk failed to load');
      return import('../src/direct/channel-code.js');
    },
  );
  return { channels, emitter, signals, release, loads: () => loads };
}

const offer = (channelId: string) => ({ from: PEER.id, channelId, signal: { type: 'offer', sdp: 'v=0' } as DirectSignal });
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('DirectChannels: the channel code, loaded on first use', () => {
  it('does not load the code for a room whose token lacks direct, and loads it once at a join that grants it', async () => {
    const { channels, loads, release } = setUp();
    channels.joined({ ...GRANTS, direct: false });
    assert.equal(loads(), 0);
    channels.joined(GRANTS);
    channels.joined(GRANTS);
    release();
    await settle();
    assert.equal(loads(), 1);
  });

  it('holds offers that arrive while the code loads, then asks the application about each, in order', async () => {
    const { channels, emitter, signals, release } = setUp({ incoming: 'ask' });
    const seen: string[] = [];
    emitter.on('directRequest', (request: DirectRequest) => seen.push(`request from ${request.peer.id}`));
    channels.signaled(offer('c1'));
    channels.signaled({ from: PEER.id, channelId: 'c1', signal: { type: 'candidate', candidate: null } as unknown as DirectSignal });
    channels.signaled(offer('c2'));
    await settle();
    assert.deepEqual(seen, [], 'nothing is decided before the code is there');
    release();
    await settle();
    assert.deepEqual(seen, [`request from ${PEER.id}`, `request from ${PEER.id}`]);
    assert.deepEqual(signals, []);
  });

  it('refuses offers that waited, naming the cause, when the code cannot be loaded, and tries again at the next offer', async () => {
    const { channels, signals, release, loads } = setUp({ fail: true });
    channels.signaled(offer('c1'));
    channels.signaled(offer('c2'));
    release();
    await settle();
    assert.deepEqual(
      signals.map(({ channelId, signal }) => [channelId, signal.type, (signal as { reason?: string }).reason]),
      [
        ['c1', 'refuse', 'the page could not load direct channels: chunk failed to load'],
        ['c2', 'refuse', 'the page could not load direct channels: chunk failed to load'],
      ],
    );
    channels.signaled(offer('c3'));
    await settle();
    assert.equal(loads(), 2);
  });

  it('fails openDirect with UNAVAILABLE when the code cannot be loaded', async () => {
    const { channels, release } = setUp({ fail: true });
    release();
    await assert.rejects(channels.open(PEER.id), (error: Error & { code?: string }) => error.code === 'UNAVAILABLE' && /could not be loaded: chunk failed/.test(error.message));
  });
});
