import assert from 'node:assert/strict';
import { Metrics } from '../src/metrics/metrics.js';

describe('Metrics: bound counters', () => {
  it('count into the same series as inc with labels, and appear only once incremented', async () => {
    const metrics = new Metrics();
    const family = metrics.counter('things_total', 'Things');
    const red = family.bind({ color: 'red' });
    const blue = family.bind({ color: 'blue' });
    assert.doesNotMatch(await metrics.render(), /things_total\{/, 'no series before the first increment');
    red.inc();
    red.inc(4);
    family.inc({ color: 'red' }, 2);
    assert.equal(metrics.value('things_total', { color: 'red' }), 7);
    assert.equal(metrics.value('things_total', { color: 'blue' }), 0);
    blue.inc();
    const text = await metrics.render();
    assert.match(text, /^things_total\{color="red"\} 7$/m);
    assert.match(text, /^things_total\{color="blue"\} 1$/m);
  });
});
