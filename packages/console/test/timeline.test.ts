import { expect } from 'chai';
import type { Sample } from '../src/api/sample-stream.js';
import { Timeline } from '../src/metrics/timeline.js';

const sample = (second: number, rooms?: Sample['rooms']): Sample => ({
  t: second * 1000,
  v: {},
  process: { rssBytes: 0, cpuSeconds: 0 },
  ...(rooms ? { rooms } : {}),
});
const counts = (messagesIn: number, deliveries: number, rejected: Record<string, number> = {}) => ({ messagesIn, deliveries, rejected });

/** The console's reading of the rooms' traffic in the sample stream (no browser needed). */
describe('console timeline: rooms\u2019 traffic', () => {
  it('carries a room\u2019s counts over the samples that do not name it, so its rates read 0 there', () => {
    const tl = new Timeline();
    tl.push(sample(100, { lobby: counts(10, 20) }));
    tl.push(sample(101, { lobby: counts(14, 28, { rate_limited: 2 }) }));
    tl.push(sample(102));
    tl.push(sample(103, { stage: counts(1, 0) }));
    expect(tl.room('lobby')?.messagesIn).to.deep.equal([10, 14, 14, 14]);
    expect(tl.room('lobby')?.rejected).to.deep.equal([0, 2, 2, 2]);
    expect(tl.room('lobby')?.latest).to.deep.equal(counts(14, 28, { rate_limited: 2 }));
    expect(tl.roomRate('lobby', 'deliveries')).to.deep.equal([null, 8, 0, 0]);
    expect(tl.room('stage')?.messagesIn).to.deep.equal([null, null, null, 1]);
    expect(tl.roomRate('nowhere', 'messagesIn')).to.deep.equal([null, null, null, null]);
  });

  it('averages a room\u2019s recent rate over the last 10 s, and reads 0 once it is quiet that long', () => {
    const tl = new Timeline();
    for (let s = 0; s <= 10; s += 1) tl.push(sample(s, { lobby: counts(s * 5, s * 10) }));
    expect(tl.roomRecentRate('lobby', 'messagesIn')).to.equal(5);
    expect(tl.roomRecentRate('lobby', 'deliveries')).to.equal(10);
    for (let s = 11; s <= 20; s += 1) tl.push(sample(s));
    expect(tl.roomRecentRate('lobby', 'messagesIn')).to.equal(0);
    expect(tl.roomRecentRate('stage', 'messagesIn')).to.equal(0);
  });

  it('starts a late viewer from the kept history, the counts before it included', () => {
    const tl = new Timeline();
    tl.load({
      t: [1000, 2000, 3000],
      series: {},
      process: { rssBytes: [0, 0, 0], cpuSeconds: [0, 0, 0] },
      rooms: [{ lobby: counts(7, 7) }, null, { lobby: counts(9, 11) }],
    });
    expect(tl.room('lobby')?.deliveries).to.deep.equal([7, 7, 11]);
    expect(tl.roomRecentRate('lobby', 'deliveries')).to.equal(2);
  });
});
