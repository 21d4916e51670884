import type { ReceiverReport } from './delivery-tracker.js';
import { LoadError } from './errors.js';
import type { FromWorker, SenderTotal, VideoReport } from './ipc.js';
import { fatalMessage } from './join-errors.js';
import { LoadProcess } from './load-process.js';
import { httpBase, type LoadOptions } from './options.js';
import { planPeers, splitPeers, type PeerSpec } from './plan.js';
import { processUsage } from './process-usage.js';
import type { JoinFailureRecord, JoinRecord } from './result.js';
import { scrapeServer, type ServerSample } from './server-metrics.js';
import { ResumeTimes } from './resume-times.js';
import { causeOf, tokenSource } from './tokens.js';

/** What the coordinator gathered; `buildResult` turns it into a {@link LoadResult}. */
export interface RunRecord {
  options: LoadOptions;
  startAt: number;
  /** When the messages started (epoch ms), once they did. */
  sendAt: number | undefined;
  endAt: number;
  peers: PeerSpec[];
  joins: JoinRecord[];
  failures: JoinFailureRecord[];
  /** Per delivery report: when, latencies, duplicates. */
  deliveries: { at: number; latencies: number[]; duplicates: number }[];
  sendFailures: number;
  totals: SenderTotal[];
  receivers: ReceiverReport[];
  video: VideoReport[];
  connections: { lost: number; resumed: number; closed: number; closedReasons: string[] };
  resumes: ResumeTimes;
  server: ServerSample[];
  clients: { at: number; cpuSeconds: number; rssBytes: number }[];
  processes: number;
}

/** A live view of a run, once a second, for the progress line. */
export type ProgressListener = (record: RunRecord, phase: string) => void;

const HEALTH_TIMEOUT_MS = 5_000;
// Loading wrtc, the SDK and the server package takes seconds, many on a busy machine.
const READY_TIMEOUT_MS = 120_000;
const ANSWER_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const TICK_MS = 1_000;

/**
 * Runs a load test: checks the servers answer, forks the load processes, paces the joins, lets
 * the messages flow for the duration, collects every receiver's report, and leaves. Throws
 * {@link LoadError} when the run cannot take place (unreachable, tokens refused, caps hit, a
 * load process failed); a run that took place resolves, its checks in the record.
 */
export async function runLoad(options: LoadOptions, onProgress?: ProgressListener): Promise<RunRecord> {
  await checkServers(options.urls);
  // A token endpoint that does not answer, or a secret the server could never take, fails here.
  await tokenSource(options.tokens)(options.room, 'load-probe', ['subscribe']);
  const peers = planPeers(options);
  const record: RunRecord = {
    options,
    startAt: 0,
    sendAt: undefined,
    endAt: 0,
    peers,
    joins: [],
    failures: [],
    deliveries: [],
    sendFailures: 0,
    totals: [],
    receivers: [],
    video: [],
    connections: { lost: 0, resumed: 0, closed: 0, closedReasons: [] },
    resumes: new ResumeTimes(),
    server: [],
    clients: [],
    processes: 0,
  };
  let abort: (error: LoadError) => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => (abort = reject));
  aborted.catch(() => undefined);
  const onMessage = (message: FromWorker): void => {
    switch (message.type) {
      case 'joined':
        record.joins.push({ identity: message.identity, role: message.role, at: message.at - record.startAt, ms: message.ms, attempts: message.attempts });
        break;
      case 'joinFailed': {
        const { identity, role, code, attempts } = message;
        record.failures.push({ identity, role, code, message: message.message, attempts });
        if (message.fatal) {
          const kind = code === 'CAPS_PER_IP' || code === 'CAPS_TOTAL' || code === 'ROOM_FULL' ? 'CAPS_HIT' : code === 'UNREACHABLE' ? 'UNREACHABLE' : 'AUTH_FAILED';
          abort(new LoadError(kind, fatalMessage(kind, { code, message: message.message, retryable: false, fatal: kind })));
        }
        break;
      }
      case 'deliveries':
        record.deliveries.push({ at: message.at, latencies: message.latencies, duplicates: message.duplicates });
        break;
      case 'sent':
        record.sendFailures += message.failed;
        break;
      case 'connection': {
        record.connections[message.event]++;
        record.resumes.event(message.identity, message.event, message.at);
        if (message.event === 'closed' && record.connections.closedReasons.length < 20) record.connections.closedReasons.push(`${message.identity}: ${message.reason ?? ''}`);
        break;
      }
    }
  };
  const shares = splitPeers(peers, options.processes);
  const processes = shares.map(() => new LoadProcess(onMessage, abort));
  record.processes = processes.length;
  let phase = 'starting';
  const sampler = setInterval(() => void sample(record, processes, options.urls), TICK_MS);
  const progress = setInterval(() => onProgress?.(record, phase), TICK_MS);
  const race = <T>(promise: Promise<T>): Promise<T> => Promise.race([promise, aborted]);
  try {
    await race(Promise.all(processes.map((p) => p.next('ready', READY_TIMEOUT_MS))));
    record.startAt = Date.now() + 200;
    const joinTimeoutMs = options.joinTimeoutSeconds * 1000;
    processes.forEach((p, i) =>
      p.send({ type: 'start', peers: shares[i]!, startAt: record.startAt, joinRetries: options.joinRetries, joinTimeoutMs, tokens: options.tokens }),
    );
    phase = 'joining';
    // Every join settles within its attempts' timeouts and backoffs: the wait is bounded by them.
    const perPeerMs = (options.joinRetries + 1) * (joinTimeoutMs * 3 + 5_000);
    const paced = peers.filter((p) => p.role !== 'storm');
    const lastJoinAt = Math.max(0, ...paced.map((p) => p.joinAtMs));
    await race(settled(record, paced, record.startAt + lastJoinAt + perPeerMs));
    phase = 'sending';
    record.sendAt = Date.now();
    for (const p of processes) p.send({ type: 'send', startAt: record.sendAt });
    await race(sleep(options.durationSeconds * 1000));
    const storm = peers.filter((p) => p.role === 'storm');
    const stormDeadline = record.sendAt + options.stormSeconds * 1000 + perPeerMs;
    await race(settled(record, storm, stormDeadline));
    phase = 'draining';
    const totals = await race(Promise.all(processes.map((p) => nextAfter(p, 'sentTotals', { type: 'stopSending' }))));
    record.totals = totals.flatMap((m) => m.totals);
    const deadline = Date.now() + options.drainSeconds * 1000;
    const reports = await race(
      Promise.all(processes.map((p) => nextAfter(p, 'reports', { type: 'expect', sent: record.totals, deadline }, options.drainSeconds * 1000 + ANSWER_TIMEOUT_MS))),
    );
    record.receivers = reports.flatMap((m) => m.receivers);
    record.video = reports.flatMap((m) => m.video);
    await sample(record, processes, options.urls);
    phase = 'leaving';
    record.endAt = Date.now();
    await Promise.all(processes.map((p) => p.stop(STOP_TIMEOUT_MS)));
    return record;
  } catch (error) {
    for (const p of processes) p.kill();
    throw error;
  } finally {
    clearInterval(sampler);
    clearInterval(progress);
  }
}

/** Each server answers `/healthz` with a Switchboard status, or the run does not start. */
async function checkServers(urls: readonly string[]): Promise<void> {
  for (const url of urls) {
    const target = `${httpBase(url)}/healthz`;
    let response: Response;
    try {
      response = await fetch(target, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    } catch (error) {
      throw new LoadError('UNREACHABLE', `cannot reach the server at ${url} (${target}: ${causeOf(error)})`, { cause: error });
    }
    const body = (await response.json().catch(() => undefined)) as { status?: unknown } | undefined;
    if (typeof body?.status !== 'string') throw new LoadError('UNREACHABLE', `${url} is not a Switchboard server: ${target} answered ${response.status} without a status`);
    if (!response.ok) throw new LoadError('UNREACHABLE', `the server at ${url} is not ready: /healthz says ${body.status} (${response.status})`);
  }
}

/** Resolves once every one of `peers` joined or failed, or at `deadline` (epoch ms). */
async function settled(record: RunRecord, peers: readonly PeerSpec[], deadline: number): Promise<void> {
  const wanted = new Set(peers.map((p) => p.identity));
  const done = (): number => record.joins.filter((j) => wanted.has(j.identity)).length + record.failures.filter((f) => wanted.has(f.identity)).length;
  while (done() < wanted.size && Date.now() < deadline) await sleep(100);
}

function nextAfter<T extends 'sentTotals' | 'reports'>(p: LoadProcess, type: T, message: Parameters<LoadProcess['send']>[0], timeoutMs = ANSWER_TIMEOUT_MS) {
  const answer = p.next(type, timeoutMs);
  p.send(message);
  return answer;
}

async function sample(record: RunRecord, processes: readonly LoadProcess[], urls: readonly string[]): Promise<void> {
  const at = Date.now();
  const [servers, clients] = await Promise.all([
    Promise.all(urls.map((url) => scrapeServer(url))),
    Promise.all(processes.map((p) => (p.pid === undefined ? undefined : processUsage(p.pid)))),
  ]);
  for (const server of servers) if (server) record.server.push(server);
  const measured = clients.filter((c) => c !== undefined);
  if (measured.length === processes.length) {
    record.clients.push({ at, cpuSeconds: measured.reduce((s, c) => s + c.cpuSeconds, 0), rssBytes: measured.reduce((s, c) => s + c.rssBytes, 0) });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
