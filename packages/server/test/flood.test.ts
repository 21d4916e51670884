import assert from 'node:assert/strict';
import { encode, PROTOCOL_VERSION, type ClientRequests, type RequestMethod } from '@switchboard/sdk/protocol';
import { RawPeer, RawSignaling } from './support/raw-peer.js';
import { sleep, startTestServer, waitFor, type TestServer } from './support/test-server.js';

// Each signaling method with parameters that pass validation (most then fail in the room).
const FLOODS: { [M in RequestMethod]: ClientRequests[M]['params'] } = {
  join: { protocolVersion: PROTOCOL_VERSION, token: 'not-a-token' },
  connectTransport: { transportId: 'nope', dtlsParameters: { fingerprints: [] } },
  produceData: { transportId: 'nope', channel: 'reliable', sctpStreamParameters: { streamId: 1 }, label: '', protocol: '' },
  setTopics: { topics: ['a', 'b'] },
  updateSelf: { metadata: { note: 'z'.repeat(2000) } },
  kick: { peerId: 'nobody' },
  setGrants: { peerId: 'nobody', revoke: ['sendData'] },
  leave: {},
  directSignal: { to: 'nobody', channelId: 'flood', signal: { type: 'candidate', candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' } },
  produce: { transportId: 'nope', kind: 'audio', rtpParameters: { codecs: [] }, name: 'mic', source: 'microphone' },
  setRtpCapabilities: { rtpCapabilities: { codecs: [] } },
  closeProducer: { trackId: 'nope' },
  pauseProducer: { trackId: 'nope' },
  resumeProducer: { trackId: 'nope' },
  consume: { trackId: 'nope' },
  resumeConsumer: { consumerId: 'nope' },
  pauseConsumer: { consumerId: 'nope' },
  closeConsumer: { consumerId: 'nope' },
  setPreferredLayers: { consumerId: 'nope', spatialLayer: 0 },
};

const FRAMES_PER_FLOOD = 400;

// One peer floods; a second keeps sending numbered reliable messages to a third and must never
// be disconnected, lose a message, or see one out of order.
describe('flood: one peer floods, the others carry on', function () {
  this.timeout(120000);
  let t: TestServer;
  let victim: RawPeer;
  let witness: RawPeer;
  let sent = 0;
  let floodsTried = 0;

  before(async () => {
    t = await startTestServer();
    victim = await RawPeer.join(t.wsUrl, await t.token('flood', 'victim', { grants: { sendData: true, receiveData: true } }));
    witness = await RawPeer.join(t.wsUrl, await t.token('flood', 'witness', { grants: { sendData: true, receiveData: true } }));
  });
  after(async () => {
    victim?.close();
    witness?.close();
    await t?.close();
  });

  // The victim sends messages at a sane pace while `flood` runs; all must reach the witness.
  async function whileVictimTalks(flood: () => Promise<void>): Promise<void> {
    let talking = true;
    const talk = (async () => {
      while (talking) {
        victim.send('reliable', { data: encode(++sent), to: [witness.id] });
        await sleep(20);
      }
    })();
    const started = Date.now();
    try {
      await flood();
      // Long enough for a stream of the victim's messages to cross the flood's aftermath.
      await sleep(Math.max(0, 1000 - (Date.now() - started)));
    } finally {
      talking = false;
      await talk;
    }
    const fromVictim = () => witness.received.filter((m) => m.from === victim.id).map((m) => m.data);
    await waitFor(() => fromVictim().length >= sent, `all ${sent} messages of the victim to arrive`, 15000);
    assert.deepEqual(fromVictim(), Array.from({ length: sent }, (_, i) => i + 1));
    assert.equal(victim.signaling.closeCode, undefined, 'the victim was never disconnected');
    assert.equal(witness.signaling.closeCode, undefined, 'the witness was never disconnected');
    floodsTried += 1;
  }

  for (const method of Object.keys(FLOODS) as RequestMethod[]) {
    it(`survives a flood of ${method}`, async () => {
      const attacker = await RawSignaling.open(t.wsUrl);
      try {
        if (method !== 'join') await attacker.request('join', { protocolVersion: PROTOCOL_VERSION, token: await t.token('flood', `attacker-${method}`) });
        const codes = new Map<string, number>();
        await whileVictimTalks(async () => {
          const answers = Array.from({ length: FRAMES_PER_FLOOD }, () =>
            attacker.request(method, FLOODS[method] as never).then(
              () => 'ok',
              (error: { error?: { code: string } }) => error.error?.code ?? 'none',
            ),
          );
          // Requests still pending when the attacker is kicked are answered before the socket closes.
          for (const code of await Promise.all(answers)) codes.set(code, (codes.get(code) ?? 0) + 1);
        });
        assert.ok((codes.get('RATE_LIMITED') ?? 0) > 0, `${method}: ${JSON.stringify([...codes])}`);
        assert.ok(![...codes.keys()].includes('INTERNAL'), `${method}: ${JSON.stringify([...codes])}`);
      } finally {
        attacker.close();
      }
    });
  }

  it('survives a data-channel flood on both channels', async () => {
    const attacker = await RawPeer.join(t.wsUrl, await t.token('flood', 'attacker-data', { grants: { sendData: true, receiveData: true } }));
    try {
      await whileVictimTalks(async () => {
        for (let i = 0; i < 3000; i++) attacker.send(i % 2 ? 'lossy' : 'reliable', { data: encode(i) });
        await waitFor(() => attacker.signaling.notificationsOf('messageRejected').length > 0, 'data rejections');
      });
      const rejections = attacker.signaling.notificationsOf('messageRejected').map((n) => (n.data as { error: { code: string } }).error.code);
      assert.ok(rejections.includes('RATE_LIMITED'));
    } finally {
      attacker.close();
    }
  });

  it('survives a flood of undecodable frames, and kicks the sender', async () => {
    const attacker = await RawSignaling.open(t.wsUrl);
    try {
      await whileVictimTalks(async () => {
        for (let i = 0; i < FRAMES_PER_FLOOD; i++) attacker.sendRaw(new Uint8Array([0xc1, i & 0xff]));
        await waitFor(() => attacker.closeCode !== undefined, 'the attacker to be closed');
      });
      assert.equal(attacker.closeCode, 4004);
      assert.ok(attacker.orphanResponses.some((r) => !r.ok && r.error.code === 'RATE_LIMITED'));
    } finally {
      attacker.close();
    }
  });

  after(() => {
    process.stdout.write(`      floods tried: ${floodsTried}, victim messages delivered in order: ${sent}\n`);
  });
});
