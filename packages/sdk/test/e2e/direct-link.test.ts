import assert from 'node:assert/strict';
import wrtc from '@roamhq/wrtc';
import { DirectLink } from '../../src/direct/direct-link.js';
import type { DirectSignal } from '../../src/protocol/index.js';
import { sleep, waitFor } from './sdk-peers.js';

/** Two links in this process, signaling each other directly, up. */
async function linkedPair(): Promise<{ a: DirectLink; b: DirectLink; atA: number[]; atB: number[] }> {
  const atA: number[] = [];
  const atB: number[] = [];
  const links: { a?: DirectLink; b?: DirectLink } = {};
  const options = (deliver: number[], peer: () => DirectLink | undefined) => ({
    RTCPeerConnection: wrtc.RTCPeerConnection as typeof RTCPeerConnection,
    iceServers: [],
    iceTransportPolicy: 'all' as const,
    candidateFilter: undefined,
    signal: (signal: DirectSignal) => {
      const other = peer();
      if (signal.type === 'offer') other?.answer(signal.sdp);
      else if (signal.type === 'answer') other?.answered(signal.sdp);
      else if (signal.type === 'candidate') other?.candidate(signal);
    },
    onFrame: (bytes: Uint8Array) => deliver.push(bytes[0]!),
    onChange: () => undefined,
  });
  const a = (links.a = new DirectLink(options(atA, () => links.b)));
  const b = (links.b = new DirectLink(options(atB, () => links.a)));
  a.offer();
  await waitFor(() => (a.refresh(), b.refresh(), a.up && b.up), 'the link to come up');
  return { a, b, atA, atB };
}

describe('DirectLink closing', function () {
  this.timeout(20000);

  it('stops at once, and keeps its connection until the peer, told of the close, closes its end', async () => {
    const { a, b, atA, atB } = await linkedPair();
    assert.equal(b.send(Uint8Array.of(1), true), true);
    await waitFor(() => atA.length === 1, 'a frame before the close');
    a.close();
    assert.equal(a.send(Uint8Array.of(2), true), false, 'a closed link sends nothing');
    b.send(Uint8Array.of(3), true);
    await sleep(200);
    assert.deepEqual(atA, [1], 'a closed link delivers nothing');
    assert.notEqual(a.pc.connectionState, 'closed', 'the connection stays while the peer may still send');
    const closing = Date.now();
    b.close(true);
    assert.equal(b.pc.connectionState, 'closed', 'told that a stopped, b closes at once');
    await waitFor(() => a.pc.connectionState === 'closed', 'a to close its end');
    assert.deepEqual(atB, []);
    assert.ok(Date.now() - closing < 500, `a closed ${Date.now() - closing} ms after b, not at the end of its wait`);
  });

  it('closes its connection by itself when the peer never closes its end', async () => {
    const { a, b } = await linkedPair();
    const closing = Date.now();
    a.close();
    await waitFor(() => a.pc.connectionState === 'closed', 'the connection to close', 5000);
    assert.ok(Date.now() - closing >= 900, `closed after ${Date.now() - closing} ms`);
    b.close();
  });
});
