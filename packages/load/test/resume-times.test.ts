import assert from 'node:assert/strict';
import { ResumeTimes } from '../src/resume-times.js';

describe('ResumeTimes', () => {
  it('times each resume from the first loss to the resume, per peer', () => {
    const times = new ResumeTimes();
    times.event('a', 'lost', 1_000);
    times.event('b', 'lost', 1_100);
    times.event('a', 'lost', 1_200);
    times.event('b', 'resumed', 1_600);
    times.event('a', 'resumed', 2_500);
    assert.deepEqual(times.durations, [500, 1_500]);
  });

  it('counts no resume for a session that ended, nor for a resume without a loss', () => {
    const times = new ResumeTimes();
    times.event('a', 'lost', 1_000);
    times.event('a', 'closed', 5_000);
    times.event('a', 'resumed', 6_000);
    times.event('b', 'resumed', 7_000);
    assert.deepEqual(times.durations, []);
  });
});
