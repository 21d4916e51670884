// A load process: the coordinator forks it and hands it its share of the peers over IPC (see
// ipc.ts). It joins them at their times, runs them, and reports back; it never outlives the
// coordinator.
import type { ReceiverReport } from './delivery-tracker.js';
import type { FromWorker, SenderTotal, ToWorker, VideoReport } from './ipc.js';
import { classifyJoinError } from './join-errors.js';
import { LoadPeer } from './load-peer.js';
import type { PeerSpec } from './plan.js';
import { tokenSource, type TokenSource } from './tokens.js';

type StartMessage = Extract<ToWorker, { type: 'start' }>;

const REPORT_INTERVAL_MS = 1000;
const COMPLETE_POLL_MS = 250;
const LEAVE_TIMEOUT_MS = 10_000;
const MAX_BACKOFF_MS = 5_000;
const RECEIVING_ROLES = new Set<PeerSpec['role']>(['viewer', 'storm', 'pair']);

const peers: LoadPeer[] = [];
const timers = new Set<ReturnType<typeof setTimeout>>();
let start: StartMessage | undefined;
let tokens: TokenSource | undefined;
let stopped = false;
let latencies: number[] = [];
let duplicates = 0;
let sentOk = 0;
let sentFailed = 0;

function tell(message: FromWorker): void {
  process.send?.(message);
}

function later(ms: number, run: () => void): void {
  const timer = setTimeout(() => {
    timers.delete(timer);
    run();
  }, Math.max(0, ms));
  timers.add(timer);
}

const hooksOf = (identity: string) => ({
  delivered(latencyMs: number, duplicate: boolean) {
    if (duplicate) duplicates++;
    else latencies.push(latencyMs);
  },
  sent(ok: boolean) {
    if (ok) sentOk++;
    else sentFailed++;
  },
  connection(event: 'lost' | 'resumed' | 'closed', reason?: string) {
    tell({ type: 'connection', identity, event, at: Date.now(), ...(reason === undefined ? {} : { reason }) });
  },
});

/** Joins one peer, retrying what may pass; reports the outcome either way. */
async function join(spec: PeerSpec, sending: boolean): Promise<void> {
  const { joinRetries, joinTimeoutMs } = start!;
  for (let attempt = 1; !stopped; attempt++) {
    const peer = new LoadPeer(spec, hooksOf(spec.identity));
    const began = Date.now();
    try {
      const token = await tokens!(spec.room, spec.identity, spec.grants);
      await withTimeout(peer.join(token, joinTimeoutMs), joinTimeoutMs * 3, peer);
      if (stopped) {
        await peer.leave();
        return;
      }
      peers.push(peer);
      tell({ type: 'joined', identity: spec.identity, role: spec.role, at: Date.now(), ms: Date.now() - began, attempts: attempt });
      if (sending) peer.startSending();
      return;
    } catch (error) {
      const failure = classifyJoinError(error);
      if (!failure.retryable || attempt > joinRetries || failure.fatal) {
        tell({ type: 'joinFailed', identity: spec.identity, role: spec.role, code: failure.code, message: failure.message, fatal: failure.fatal !== undefined, attempts: attempt });
        return;
      }
      await new Promise((resolve) => later(Math.min(MAX_BACKOFF_MS, 500 * 2 ** (attempt - 1)), () => resolve(undefined)));
    }
  }
}

/** `promise`, or a TIMEOUT failure after `ms` (the peer is left once its late join settles). */
function withTimeout(promise: Promise<void>, ms: number, peer: LoadPeer): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void promise.then(() => peer.leave(), () => undefined);
      reject(Object.assign(new Error(`join took more than ${ms} ms`), { code: 'TIMEOUT' }));
    }, ms);
    promise.then(
      () => (clearTimeout(timer), resolve()),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });
}

function receivers(): LoadPeer[] {
  return peers.filter((peer) => RECEIVING_ROLES.has(peer.spec.role));
}

/** What `peer` should have received: the totals of the senders in its room. */
function sentTo(peer: LoadPeer, totals: readonly SenderTotal[]): Map<string, number> {
  return new Map(totals.filter((t) => t.room === peer.spec.room).map((t) => [t.identity, t.sent]));
}

function reports(totals: readonly SenderTotal[]): { receivers: ReceiverReport[]; video: VideoReport[] } {
  return {
    receivers: receivers().map((peer) => peer.tracker.report(sentTo(peer, totals), peer.spec.role === 'storm')),
    video: peers.filter((peer) => peer.spec.role === 'videoViewer').map((peer) => peer.videoReport()),
  };
}

async function leaveAll(): Promise<void> {
  stopped = true;
  for (const timer of timers) clearTimeout(timer);
  await Promise.race([Promise.all(peers.map((peer) => peer.leave())), new Promise((resolve) => setTimeout(resolve, LEAVE_TIMEOUT_MS))]);
}

const reporter = setInterval(() => {
  const at = Date.now();
  if (latencies.length > 0 || duplicates > 0) tell({ type: 'deliveries', at, latencies, duplicates });
  if (sentOk > 0 || sentFailed > 0) tell({ type: 'sent', at, count: sentOk, failed: sentFailed });
  latencies = [];
  duplicates = 0;
  sentOk = 0;
  sentFailed = 0;
}, REPORT_INTERVAL_MS);

process.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'start':
      start = message;
      tokens = tokenSource(message.tokens);
      for (const spec of message.peers) {
        if (spec.role !== 'storm') later(message.startAt + spec.joinAtMs - Date.now(), () => void join(spec, false));
      }
      break;
    case 'send':
      for (const peer of peers) peer.startSending();
      for (const spec of start?.peers ?? []) {
        if (spec.role === 'storm') later(message.startAt + spec.joinAtMs - Date.now(), () => void join(spec, true));
      }
      break;
    case 'stopSending': {
      const totals = peers
        .filter((peer) => peer.spec.sendRate > 0)
        .map((peer): SenderTotal => ({ identity: peer.spec.identity, room: peer.spec.room, sent: peer.stopSending() }));
      tell({ type: 'sentTotals', totals });
      break;
    }
    case 'expect': {
      const check = (): void => {
        const done = receivers().every((peer) => peer.tracker.complete(sentTo(peer, message.sent), peer.spec.role === 'storm'));
        if (done || Date.now() >= message.deadline) tell({ type: 'reports', ...reports(message.sent) });
        else later(COMPLETE_POLL_MS, check);
      };
      check();
      break;
    }
    case 'leave':
      clearInterval(reporter);
      void leaveAll().then(() => {
        tell({ type: 'left' });
        // wrtc can crash in Node's own teardown: exit at once, as the SDK's Node environment does.
        process.exit(0);
      });
      break;
  }
});

// The coordinator is gone (it exited or was killed): so is this process.
process.on('disconnect', () => process.exit(0));
tell({ type: 'ready' });
