import assert from 'node:assert/strict';
import { encode, PROTOCOL_VERSION } from '@switchboard/sdk/protocol';
import { RawSignaling } from './support/raw-peer.js';
import { startTestServer, waitFor, type TestServer } from './support/test-server.js';
import { admittedAtMost, floodUpdateSelf, NOTIFICATION_OVERHEAD, profileBytes } from './support/update-flood.js';

const FLOOD_MS = 3000;

/**
 * What one peer's `updateSelf` flood costs each other peer (docs/security.md, "the fan-out
 * budget"): every update admitted reaches each of them once, in a notification of at most the
 * profile's bytes + 128; the update bucket and the fan-out bucket bound how many are admitted.
 * The flooder is never kicked here (`--rate-limit-kick-after 0`), so it keeps the rate up.
 */
async function floodTwoVictims(t: TestServer, room: string): Promise<{ admitted: number; seconds: number; bytes: number }> {
  const victims = await Promise.all([RawSignaling.open(t.wsUrl), RawSignaling.open(t.wsUrl)]);
  const attacker = await RawSignaling.open(t.wsUrl);
  try {
    for (const [i, victim] of victims.entries()) await victim.request('join', { protocolVersion: PROTOCOL_VERSION, token: await t.token(room, `victim-${i}`) });
    await attacker.request('join', { protocolVersion: PROTOCOL_VERSION, token: await t.token(room, 'attacker') });
    const metadata = { blob: 'y'.repeat(t.config.maxMetadataBytes - 100) };
    const { admitted, seconds } = await floodUpdateSelf(attacker, () => metadata, FLOOD_MS);
    for (const victim of victims) await waitFor(() => victim.notificationsOf('peerUpdated').length === admitted, 'every admitted update to reach the victims');
    for (const victim of victims) {
      for (const notification of victim.notificationsOf('peerUpdated')) {
        assert.ok(encode(notification).byteLength <= profileBytes(metadata) + NOTIFICATION_OVERHEAD, 'a notification within the profile + 128 bytes');
      }
    }
    const perVictim = Math.round((admitted * (profileBytes(metadata) + NOTIFICATION_OVERHEAD)) / seconds);
    console.log(`      ${room}: ${admitted} updates admitted in ${seconds} s, at most ${perVictim} B/s per victim`);
    return { admitted, seconds, bytes: profileBytes(metadata) };
  } finally {
    for (const socket of [attacker, ...victims]) socket.close();
  }
}

describe('the updateSelf fan-out budget per victim', function () {
  this.timeout(60_000);

  it('defaults: the update bucket binds a small room (20 at once, then 5 a second)', async () => {
    const t = await startTestServer(['--rate-limit-kick-after', '0']);
    try {
      const { admitted, seconds, bytes } = await floodTwoVictims(t, 'small');
      const bound = admittedAtMost(t.config, bytes, 2, seconds);
      assert.ok(bound.updates < bound.fanout, `the update bucket is the tighter one here: ${JSON.stringify(bound)}`);
      assert.ok(admitted <= bound.updates, `admitted ${admitted} in ${seconds} s, at most ${bound.updates}`);
      // More than the burst: the bucket refills at its rate while the flood goes on.
      assert.ok(admitted > t.config.updateBurst, `admitted ${admitted}`);
    } finally {
      await t.close();
    }
  });

  it('a smaller fan-out budget binds: (profile + 128) × other peers per update, one second of burst', async () => {
    const t = await startTestServer(['--rate-limit-kick-after', '0', '--fanout-bytes-per-second', '16384']);
    try {
      const { admitted, seconds, bytes } = await floodTwoVictims(t, 'budget');
      const bound = admittedAtMost(t.config, bytes, 2, seconds);
      assert.ok(bound.fanout < bound.updates, `the fan-out bucket is the tighter one here: ${JSON.stringify(bound)}`);
      assert.ok(admitted <= bound.fanout, `admitted ${admitted} in ${seconds} s, at most ${bound.fanout}`);
      // The burst allows 2 (16384 bytes, the second going into debt); more shows the refill.
      assert.ok(admitted > 2, `admitted ${admitted}`);
    } finally {
      await t.close();
    }
  });
});
