import assert from 'node:assert/strict';
import { SeqWindow } from '../src/data-channel/seq-window.js';

describe('SeqWindow', () => {
  it('tells new numbers from seen ones, in and out of order', () => {
    const window = new SeqWindow();
    assert.deepEqual([1, 2, 4, 3, 2, 4, 5].map((seq) => window.add(seq)), [true, true, true, true, false, false, true]);
    assert.equal(window.highest, 5);
  });

  it(`remembers the last ${SeqWindow.size} numbers and counts older ones as seen`, () => {
    const window = new SeqWindow();
    window.add(1);
    const top = 100_000;
    assert.ok(window.add(top));
    const oldest = top - SeqWindow.size + 1;
    assert.ok(window.add(oldest), 'the oldest number in the window, never seen');
    assert.equal(window.add(oldest), false);
    assert.equal(window.add(oldest - 1), false, 'below the window');
    assert.ok(window.add(top - 1));
    // A slot the ring reuses forgets the number a window older: 1 + size is new, not "seen as 1".
    const other = new SeqWindow();
    other.add(1);
    other.add(2);
    assert.ok(other.add(1 + SeqWindow.size));
    assert.ok(other.add(2 + SeqWindow.size));
    assert.equal(other.add(2), false, 'now below the window');
  });

  it('forgets every slot after a jump of more than a window', () => {
    const window = new SeqWindow();
    for (let seq = 1; seq <= 1000; seq++) window.add(seq);
    const top = 10 * SeqWindow.size;
    assert.ok(window.add(top));
    for (let seq = top - 1000; seq < top; seq++) assert.ok(window.add(seq), `${seq} was never seen`);
  });
});
