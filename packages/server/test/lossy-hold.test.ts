import { expect } from 'chai';
import { LossyHold } from '../src/data/lossy-hold.js';
import type { StampedMessage } from '../src/data/sequencer.js';
import type { Peer } from '../src/rooms/peer.js';

const LIFETIME_MS = 3000;

function peer(id: string): Peer {
  return { id } as Peer;
}

function lossy(from: string, text: string, targets?: string[], topic?: string, size = 16): StampedMessage {
  return { channel: 'lossy', seq: 0, from, targets, topic, bytes: new Uint8Array(size), text } as unknown as StampedMessage;
}

function texts(messages: readonly StampedMessage[]): string[] {
  return messages.map((m) => (m as unknown as { text: string }).text);
}

const everyTopic = (): boolean => true;

describe('LossyHold: lossy messages for peers whose receive channel is not up yet', () => {
  let clock: number;
  let hold: LossyHold;
  beforeEach(() => {
    clock = 1_000_000;
    hold = new LossyHold(LIFETIME_MS, () => clock);
  });

  it('keeps nothing while no peer is connecting', () => {
    hold.keep(lossy('a', 'before'));
    const erin = peer('erin');
    hold.start(erin);
    expect(hold.release(erin, everyTopic)).to.deep.equal([]);
  });

  it('gives a peer what was targeted to it or broadcast since it started connecting, in order, never its own', () => {
    const erin = peer('erin');
    hold.start(erin);
    hold.keep(lossy('a', 'to erin', ['erin']));
    hold.keep(lossy('a', 'to bob', ['bob']));
    hold.keep(lossy('a', 'to all'));
    hold.keep(lossy('erin', 'from erin'));
    hold.keep(lossy('a', 'to erin and bob', ['bob', 'erin']));
    expect(texts(hold.release(erin, everyTopic))).to.deep.equal(['to erin', 'to all', 'to erin and bob']);
  });

  it('gives a broadcast on a topic only to a peer that admits the topic', () => {
    const erin = peer('erin');
    hold.start(erin);
    hold.keep(lossy('a', 'sports', undefined, 'sports'));
    hold.keep(lossy('a', 'news', undefined, 'news'));
    expect(texts(hold.release(erin, (topic) => topic === 'news'))).to.deep.equal(['news']);
  });

  it('gives each peer only what came after it started, and releases each peer once', () => {
    const erin = peer('erin');
    const finn = peer('finn');
    hold.start(erin);
    hold.keep(lossy('a', 'one'));
    hold.start(finn);
    hold.keep(lossy('a', 'two'));
    expect(texts(hold.release(finn, everyTopic))).to.deep.equal(['two']);
    expect(texts(hold.release(erin, everyTopic))).to.deep.equal(['one', 'two']);
    expect(hold.release(erin, everyTopic)).to.deep.equal([]);
  });

  it('drops what is older than the lossy lifetime', () => {
    const erin = peer('erin');
    hold.start(erin);
    hold.keep(lossy('a', 'old'));
    clock += LIFETIME_MS - 1;
    hold.keep(lossy('a', 'recent'));
    clock += 2;
    expect(texts(hold.release(erin, everyTopic))).to.deep.equal(['recent']);
  });

  it('holds at most 256 KiB, dropping the oldest first', () => {
    const erin = peer('erin');
    hold.start(erin);
    for (let i = 0; i < 300; i++) hold.keep(lossy('a', `m${i}`, undefined, undefined, 1024));
    const released = texts(hold.release(erin, everyTopic));
    expect(released).to.have.length(256);
    expect(released[0]).to.equal('m44');
    expect(released.at(-1)).to.equal('m299');
  });

  it('forgets a peer that left before its channel came up, and holds nothing once nobody connects', () => {
    const erin = peer('erin');
    hold.start(erin);
    hold.keep(lossy('a', 'one'));
    hold.forget(erin);
    const finn = peer('finn');
    hold.start(finn);
    expect(hold.release(finn, everyTopic)).to.deep.equal([]);
    expect(hold.release(erin, everyTopic)).to.deep.equal([]);
  });
});
