import assert from 'node:assert/strict';
import { SwitchboardError } from '@switchboard/sdk/protocol';
import { AccessToken } from '../../src/auth/access-token.js';
import { loadConfig } from '../../src/config.js';
import { defaultHistoryPolicy } from '../../src/config/history-options.js';
import type { SequencedMessage } from '../../src/cluster/room-bus.js';
import { historyKeeps, keptUpTo, newestWithin, parseHistoryPolicy } from '../../src/history/history-policy.js';
import { HistoryStore } from '../../src/history/history-store.js';

const CAPS = { maxLimit: 100, maxBytes: 10_000 };
const SECRET = 'a-token-secret-of-some-length';

function sequenced(seq: number, type: string, size: number, extra: { targets?: string[]; topic?: string } = {}): SequencedMessage {
  return { seq, at: seq, from: 'p', type, targets: extra.targets, topic: extra.topic, body: new Uint8Array(size) };
}

function refusedWith(pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof SwitchboardError);
    assert.equal(error.code, 'MALFORMED');
    assert.match(error.message, pattern);
    return true;
  };
}

describe('Room history policy', () => {
  it('reads a policy, filling maxBytes with the cap and dropping repeated names', () => {
    assert.deepEqual(parseHistoryPolicy({ limit: 20, types: ['comment', 'comment'] }, CAPS, 'body'), { limit: 20, maxBytes: 10_000, types: ['comment'] });
    assert.deepEqual(parseHistoryPolicy({ limit: 1, maxBytes: 500, topics: ['chat'] }, CAPS, 'body'), { limit: 1, maxBytes: 500, topics: ['chat'] });
    assert.equal(parseHistoryPolicy(null, CAPS, 'body'), null);
    assert.equal(parseHistoryPolicy(false, CAPS, 'body'), null);
  });

  it('refuses bad shapes with a typed error naming the field', () => {
    assert.throws(() => parseHistoryPolicy('all', CAPS, 'body'), refusedWith(/body must be an object/));
    assert.throws(() => parseHistoryPolicy([], CAPS, 'body'), refusedWith(/body must be an object/));
    assert.throws(() => parseHistoryPolicy({ types: ['a'] }, CAPS, 'body'), refusedWith(/body\.limit must be a whole number/));
    assert.throws(() => parseHistoryPolicy({ limit: 0 }, CAPS, 'body'), refusedWith(/limit must be a whole number of at least 1/));
    assert.throws(() => parseHistoryPolicy({ limit: 2.5 }, CAPS, 'body'), refusedWith(/limit/));
    assert.throws(() => parseHistoryPolicy({ limit: 5, type: ['a'] }, CAPS, 'body'), refusedWith(/unknown field "type"/));
    assert.throws(() => parseHistoryPolicy({ limit: 5, types: [] }, CAPS, 'body'), refusedWith(/types must be a list of 1 to 64/));
    assert.throws(() => parseHistoryPolicy({ limit: 5, types: [''] }, CAPS, 'body'), refusedWith(/types must hold strings/));
    assert.throws(() => parseHistoryPolicy({ limit: 5, topics: 'chat' }, CAPS, 'body'), refusedWith(/topics must be a list/));
    assert.throws(() => parseHistoryPolicy({ limit: 5, types: Array.from({ length: 65 }, (_, i) => `t${i}`) }, CAPS, 'body'), refusedWith(/1 to 64/));
  });

  it('refuses a policy above the caps (count or bytes)', () => {
    assert.throws(() => parseHistoryPolicy({ limit: 101 }, CAPS, 'body'), refusedWith(/body\.limit is 101, above the server's --history-max-limit of 100/));
    assert.throws(() => parseHistoryPolicy({ limit: 5, maxBytes: 10_001 }, CAPS, 'body'), refusedWith(/maxBytes is 10001, above the server's --history-max-bytes of 10000/));
  });

  it('never keeps a targeted message, and matches types and topics together', () => {
    const policy = { limit: 5, maxBytes: 100, types: ['comment'], topics: ['chat'] };
    assert.equal(historyKeeps(policy, 'comment', 'chat', false), true);
    assert.equal(historyKeeps(policy, 'comment', 'chat', true), false);
    assert.equal(historyKeeps(policy, 'like', 'chat', false), false);
    assert.equal(historyKeeps(policy, 'comment', undefined, false), false);
    assert.equal(historyKeeps({ limit: 5, maxBytes: 100 }, 'anything', undefined, false), true);
    assert.equal(historyKeeps({ limit: 5, maxBytes: 100 }, 'anything', undefined, true), false);
    assert.equal(historyKeeps(null, 'comment', undefined, false), false);
  });

  it('keeps the newest messages within the limit and the byte budget', () => {
    const kept = [sequenced(1, 'c', 40), sequenced(2, 'c', 40), sequenced(3, 'c', 40), sequenced(4, 'c', 40)];
    assert.deepEqual(newestWithin(kept, { limit: 3, maxBytes: 1000 }).map((m) => m.seq), [2, 3, 4]);
    assert.deepEqual(newestWithin(kept, { limit: 3, maxBytes: 100 }).map((m) => m.seq), [3, 4]);
    assert.deepEqual(newestWithin([sequenced(1, 'c', 200)], { limit: 3, maxBytes: 100 }), [], 'a message above the whole budget is not kept');
  });

  it('stores in memory what the policy matches, with the first policy winning unless replaced', () => {
    const store = new HistoryStore();
    store.offer(sequenced(1, 'comment', 10));
    assert.deepEqual(keptUpTo({ policy: store.current, kept: store.messages }, 100), [], 'nothing is kept before a policy is chosen');
    assert.deepEqual(store.set({ limit: 2, maxBytes: 100, types: ['comment'] }, 'ifUnset'), { limit: 2, maxBytes: 100, types: ['comment'] });
    assert.deepEqual(store.set({ limit: 50, maxBytes: 100 }, 'ifUnset'), { limit: 2, maxBytes: 100, types: ['comment'] }, 'a later claim changes nothing');
    for (let seq = 2; seq <= 9; seq++) store.offer(sequenced(seq, seq % 2 === 0 ? 'comment' : 'like', 10));
    store.offer(sequenced(10, 'comment', 10, { targets: ['x'] }));
    assert.deepEqual(keptUpTo({ policy: store.current, kept: store.messages }, 100).map((m) => m.seq), [6, 8]);
    assert.deepEqual(keptUpTo({ policy: store.current, kept: store.messages }, 7).map((m) => m.seq), [4, 6], 'only what is numbered up to the join');
    store.set({ limit: 1, maxBytes: 100 }, 'replace');
    assert.deepEqual(keptUpTo({ policy: store.current, kept: store.messages }, 100).map((m) => m.seq), [8]);
    store.set(null, 'replace');
    store.offer(sequenced(11, 'comment', 10));
    assert.deepEqual(keptUpTo({ policy: store.current, kept: store.messages }, 100), []);
    assert.equal(store.set({ limit: 3, maxBytes: 100 }, 'ifUnset'), null, 'an explicit "no history" counts as chosen');
  });

  it('takes a default policy from the settings and refuses one above the caps', () => {
    const config = loadConfig(['--dev', '--history-limit', '20', '--history-types', 'comment, chat', '--history-bytes', '4096'], {});
    assert.deepEqual(defaultHistoryPolicy(config), { limit: 20, maxBytes: 4096, types: ['comment', 'chat'] });
    assert.equal(defaultHistoryPolicy(loadConfig(['--dev'], {})), undefined, 'off by default');
    const fromEnv = loadConfig(['--dev'], { SWITCHBOARD_HISTORY_LIMIT: '5', SWITCHBOARD_HISTORY_TOPICS: 'news' });
    assert.deepEqual(defaultHistoryPolicy(fromEnv), { limit: 5, maxBytes: 1024 * 1024, topics: ['news'] });
    assert.throws(() => loadConfig(['--dev', '--history-limit', '2000'], {}), /--history-max-limit of 1000/);
    assert.throws(() => loadConfig(['--dev', '--history-limit', '5', '--history-bytes', '9999999'], {}), /--history-max-bytes of 1048576/);
  });

  it('signs a room_history claim and refuses a malformed one before signing', async () => {
    const token = await new AccessToken(SECRET, { identity: 'a', room: 'r', roomHistory: { limit: 10, types: ['comment'] } }).toJwt();
    const verified = await AccessToken.verify(token, SECRET);
    assert.deepEqual(verified.roomHistory, { limit: 10, types: ['comment'] });
    assert.throws(() => new AccessToken(SECRET, { identity: 'a', room: 'r', roomHistory: { limit: -1 } }), refusedWith(/claim "room_history"\.limit/));
    assert.throws(() => new AccessToken(SECRET, { identity: 'a', room: 'r', roomHistory: { limit: 1_000_000 } }), refusedWith(/above/));
  });
});
