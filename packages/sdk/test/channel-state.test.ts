import assert from 'node:assert/strict';
import type { ChannelEvent, OutgoingChannel } from '../src/data-channel/channel.js';
import { ChannelState } from '../src/data-channel/channel-state.js';
import { LossySender } from '../src/data-channel/lossy-sender.js';
import { ReliableSender } from '../src/data-channel/reliable-sender.js';
import { encode, EnvelopeKind } from '../src/protocol/index.js';
import { FakeChannel } from './support/fake-channel.js';

/** A fake channel that counts reads of its state, which block on wrtc. */
class CountingChannel implements OutgoingChannel {
  reads = 0;
  readonly fake = new FakeChannel();
  bufferedAmountLowThreshold = 0;

  get readyState(): RTCDataChannelState {
    this.reads++;
    return this.fake.readyState;
  }

  get bufferedAmount(): number {
    this.reads++;
    return this.fake.bufferedAmount;
  }

  get sent(): Uint8Array[] {
    return this.fake.sent;
  }

  send(data: Uint8Array): void {
    this.fake.send(data);
  }

  on(event: ChannelEvent, listener: () => void): void {
    this.fake.on(event, listener);
  }

  off(event: ChannelEvent, listener: () => void): void {
    this.fake.off(event, listener);
  }
}

const WATERMARKS = { high: 1000, low: 200 };
const LIMIT = { bytes: 1024, name: 'the limit' };
const message = { kind: EnvelopeKind.message, type: 'chat', data: encode('hello') };

describe('ChannelState', () => {
  it('lets the senders send without reading the channel state per message', () => {
    for (const sender of [new ReliableSender({ watermarks: WATERMARKS, limit: () => LIMIT }), new LossySender({ watermarks: WATERMARKS, limit: () => LIMIT })]) {
      const channel = new CountingChannel();
      sender.attach(channel);
      const afterAttach = channel.reads;
      for (let i = 0; i < 100; i++) sender.send(message);
      assert.equal(channel.sent.length, 100);
      // The estimate passes the high watermark every ~1000 bytes sent, and reads once then.
      assert.ok(channel.reads - afterAttach <= 10, `${channel.reads - afterAttach} reads for 100 sends`);
    }
  });

  it('follows open and close events, and a send that throws', () => {
    const channel = new FakeChannel();
    channel.readyState = 'connecting';
    const state = new ChannelState(channel);
    assert.equal(state.open, false);
    channel.open();
    assert.equal(state.open, true);
    channel.failSends = true;
    assert.equal(state.send(Uint8Array.of(1)), false);
    assert.equal(state.open, false);
  });

  it('estimates bufferedAmount from the bytes sent, and reads it again only past the limit', () => {
    const channel = new CountingChannel();
    const state = new ChannelState(channel);
    state.send(new Uint8Array(600));
    assert.equal(state.bufferedAbove(1000), false);
    const reads = channel.reads;
    state.send(new Uint8Array(600));
    // The estimate (1200) passes 1000; the channel drained meanwhile, as the read finds.
    assert.equal(state.bufferedAbove(1000), false);
    assert.equal(channel.reads, reads + 1);
    channel.fake.bufferedAmount = 1500;
    state.send(new Uint8Array(600));
    assert.equal(state.bufferedAbove(1000), false, 'below the limit by the estimate: no read');
    state.send(new Uint8Array(600));
    assert.equal(state.bufferedAbove(1000), true);
  });
});
