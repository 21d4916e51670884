import assert from 'node:assert/strict';
import { DeliveryTracker } from '../src/delivery-tracker.js';
import { LoadError } from '../src/errors.js';
import { classifyJoinError } from '../src/join-errors.js';
import { parseOptions } from '../src/options.js';
import { planPeers, splitPeers } from '../src/plan.js';
import { parseServerMetrics } from '../src/server-metrics.js';

const BASE = ['--url', 'http://127.0.0.1:8080', '--secret', 'a-backend-secret-0123456789'];

function badOption(argv: string[], message: RegExp): void {
  assert.throws(() => parseOptions(argv), (error: LoadError) => error instanceof LoadError && error.code === 'BAD_OPTION' && message.test(error.message));
}

describe('switchboard-load options, plan and accounting', () => {
  it('refuses bad command lines with a message naming the flag', () => {
    badOption([], /--url is required/);
    badOption(['--url', 'ftp://x'], /scheme/);
    badOption(['--url', 'http://h'], /--secret/);
    badOption([...BASE, '--token-url', 'http://t'], /either --secret or --token-url/);
    badOption([...BASE, '--viewers=-1'], /--viewers must be a number from 0/);
    badOption([...BASE, '--viewers', '2.5'], /whole number/);
    badOption([...BASE, '--duration', 'soon'], /--duration/);
    badOption([...BASE, '--scenario', 'party'], /live or pairs/);
    badOption([...BASE, '--video-viewers', '3'], /needs --publisher/);
    badOption([...BASE, '--frobnicate'], /frobnicate/);
    badOption([...BASE, '--scenario', 'pairs', '--pairs', '0'], /--pairs/);
  });

  it('takes the secret from SWITCHBOARD_TOKEN_SECRET and URL lists for a cluster', () => {
    const options = parseOptions(['--url', 'ws://a:1,ws://b:2', '--url', 'https://c'], { SWITCHBOARD_TOKEN_SECRET: 'from-the-environment-0123' });
    assert.deepEqual(options.tokens, { kind: 'secret', secret: 'from-the-environment-0123' });
    assert.deepEqual(options.urls, ['ws://a:1', 'ws://b:2', 'https://c']);
  });

  it('plans paced joins, the storm after the messages start, and peers over the URLs in turn', () => {
    const options = parseOptions(['--url', 'http://a,http://b', '--secret', 'x'.repeat(32), '--viewers', '4', '--commenters', '2', '--comment-rate', '10', '--storm', '4', '--storm-window', '2', '--join-rate', '2']);
    const peers = planPeers(options);
    assert.deepEqual(peers.map((p) => p.role), ['viewer', 'viewer', 'viewer', 'viewer', 'commenter', 'commenter', 'storm', 'storm', 'storm', 'storm']);
    assert.deepEqual(peers.slice(0, 6).map((p) => p.joinAtMs), [0, 500, 1000, 1500, 2000, 2500]);
    assert.deepEqual(peers.slice(6).map((p) => p.joinAtMs), [0, 500, 1000, 1500]);
    assert.deepEqual(peers.slice(0, 2).map((p) => p.urls[0]), ['http://a', 'http://b']);
    assert.deepEqual(peers[4]!.grants, ['sendData']);
    assert.equal(peers[4]!.sendRate, 5);
    assert.deepEqual(peers[0]!.grants, ['subscribe', 'receiveData']);
    assert.deepEqual(splitPeers(peers, 3).map((share) => share.length), [4, 3, 3]);
  });

  it('counts each receiver\'s deliveries exactly once, from the first seen for late joiners', () => {
    const tracker = new DeliveryTracker('viewer-0');
    for (const n of [1, 2, 2, 4, 5000]) tracker.arrived('c', n);
    const sent = new Map([['c', 5000]]);
    assert.deepEqual(tracker.report(sent, false), { identity: 'viewer-0', expected: 5000, received: 4, missing: 4996, duplicates: 1 });
    const late = new DeliveryTracker('storm-0');
    for (let n = 10; n <= 20; n++) late.arrived('c', n);
    assert.ok(late.complete(new Map([['c', 20]]), true));
    assert.equal(late.report(new Map([['c', 21]]), true).missing, 1);
  });

  it('tells fatal join failures (token, caps) from passing ones', () => {
    assert.equal(classifyJoinError(Object.assign(new Error('join: bad signature'), { code: 'INVALID_TOKEN' })).fatal, 'AUTH_FAILED');
    assert.equal(classifyJoinError(new Error('the signaling connection closed (code 4003: too many connections from this address)')).fatal, 'CAPS_HIT');
    assert.equal(classifyJoinError(new Error('the signaling connection closed (code 1013: server full)')).fatal, 'CAPS_HIT');
    const busy = classifyJoinError(Object.assign(new Error('join: busy'), { code: 'UNAVAILABLE' }));
    assert.deepEqual([busy.retryable, busy.fatal], [true, undefined]);
  });

  it('reads the server\'s CPU and memory from /metrics text, adding up the workers', () => {
    const text = ['# HELP x y', 'process_cpu_seconds_total 2.5', 'process_resident_memory_bytes 1000', 'switchboard_worker_resident_memory_bytes{worker="0"} 10', 'switchboard_worker_resident_memory_bytes{worker="1"} 20', 'switchboard_worker_udp_receive_drops{worker="0"} 3', 'switchboard_worker_udp_receive_drops{worker="1"} 4', 'switchboard_peers 7'].join('\n');
    assert.deepEqual(parseServerMetrics(text), { nodeCpuSeconds: 2.5, nodeRssBytes: 1000, workerRssBytes: 30, workerUdpDrops: 7, peers: 7 });
  });
});
