import type { ChildHost } from '../support/child-host.js';
import { ProcessMeter, type ProcessUse } from '../support/proc.js';
import { GroupMeter } from '../support/proc-tree.js';
import type { ServerProcess } from '../support/server-process.js';
import { sleep } from '../support/time.js';
import { CAMERA, type BrowserPublisher, type SentLayer } from './browser-publisher.js';
import { viewerToken } from './viewer.js';
import type { ViewerCalls, ViewerSample } from './viewers.js';

/** Viewer counts measured, in order; each run adds viewers to the previous run's. */
export const VIEWER_COUNTS = [1, 5, 10, 20];
/** The measured window, once every viewer decodes (and has had time to reach the top layer). */
export const WINDOW_MS = 10_000;
// Up to this long for every viewer to decode a first frame, then for every viewer to reach the
// top layer: the server's estimate of each viewer's bandwidth starts at 600 kbit/s and ramps up,
// and with it the layer it forwards, spatial (width) and temporal (frame rate).
const FIRST_FRAMES_TIMEOUT_MS = 15_000;
const TOP_LAYER_TIMEOUT_MS = 15_000;
const POLL_MS = 250;
// A viewer is at the top layer when it decodes the top width at 80 % of the camera's frame rate or
// more (not of the rate the browser reports sending: its framesPerSecond stat wanders above 30).
const TOP_FPS = 0.8 * CAMERA.frameRate;
const JOIN_TIMEOUT_MS = 60_000;
const SAMPLE_TIMEOUT_MS = 10_000;

/** One viewer count's window. */
export interface CpuRun {
  viewers: number;
  seconds: number;
  /** CPU of the server's Node process, its worker, the viewer host and this process (ProcessMeter). */
  use: ProcessUse;
  /** CPU seconds of the publishing browser's processes. */
  browserCpu: number;
  /** Bits/s all viewers received over the window (their connections' `transport` stats). */
  receivedBitrate: number;
  /** The server's `switchboard_forwarded_bitrate`, read just before and just after the window. */
  serverGauge: [number, number];
  /** Decoded frames per second of each viewer over the window. */
  fps: number[];
  /** Width each viewer decoded at the end of the window. */
  widths: number[];
  /** Ms from the newest viewers' joins to all viewers decoding, and to all at the top layer (NaN: not within the limit). */
  firstFramesMs: number;
  topLayerMs: number;
  /** Viewers that reconnected or were disconnected during the run. */
  troubled: number;
  /** What the publisher was sending at the end of the window, with each layer's bits/s over it. */
  layers: Array<SentLayer & { bitrate: number }>;
}

/**
 * Server CPU against the number of viewers of one 3-layer simulcast publisher: for each count in
 * {@link VIEWER_COUNTS}, viewers join (in the viewer host) until there are that many, every one
 * must decode, then up to {@link TOP_LAYER_TIMEOUT_MS} for all to reach the top layer, then the
 * server's CPU is read from /proc over {@link WINDOW_MS}.
 */
export async function serverCpu(
  server: ServerProcess,
  publisher: BrowserPublisher,
  host: ChildHost<ViewerCalls>,
  room: string,
): Promise<CpuRun[]> {
  const runs: CpuRun[] = [];
  let joined = 0;
  for (const viewers of VIEWER_COUNTS) {
    const tokens: string[] = [];
    while (joined + tokens.length < viewers) tokens.push(await viewerToken(room, `viewer-${joined + tokens.length}`));
    const joinedAt = performance.now();
    await host.call('join', { wsUrl: server.wsUrl, tokens }, JOIN_TIMEOUT_MS);
    joined = viewers;
    const firstFramesMs = await until(host, (all) => all.every((v) => v.framesDecoded > 0), FIRST_FRAMES_TIMEOUT_MS, joinedAt);
    const topLayerMs = await untilTopLayer(host, publisher, joinedAt);

    const gaugeBefore = await forwardedBitrate(server);
    const before = await host.call('sample', {}, SAMPLE_TIMEOUT_MS);
    const layersBefore = await publisher.layers();
    const meter = new ProcessMeter({ ...server.pids, viewers: host.pid, bench: process.pid });
    const browser = new GroupMeter(publisher.pids());
    const started = performance.now();
    await sleep(WINDOW_MS);
    const use = meter.read();
    const browserCpu = browser.read();
    const seconds = (performance.now() - started) / 1000;
    const layersAfter = await publisher.layers();
    const after = await host.call('sample', {}, SAMPLE_TIMEOUT_MS);
    const gaugeAfter = await forwardedBitrate(server);

    const bytes = after.reduce((sum, v, i) => sum + v.bytes - (before[i]?.bytes ?? 0), 0);
    runs.push({
      viewers,
      seconds,
      use,
      browserCpu,
      receivedBitrate: (bytes * 8) / seconds,
      serverGauge: [gaugeBefore, gaugeAfter],
      fps: after.map((v, i) => (v.framesDecoded - (before[i]?.framesDecoded ?? 0)) / seconds),
      widths: after.map((v) => v.width),
      firstFramesMs,
      topLayerMs,
      troubled: after.filter((v) => v.reconnects > 0 || v.disconnected).length,
      layers: layersAfter.map((layer) => ({
        ...layer,
        bitrate: ((layer.bytesSent - (layersBefore.find((b) => b.rid === layer.rid)?.bytesSent ?? NaN)) * 8) / seconds,
      })),
    });
  }
  return runs;
}

/** Polls the viewers until `done` holds or `timeoutMs` passes; ms since `since`, or NaN on timeout. */
async function until(host: ChildHost<ViewerCalls>, done: (all: ViewerSample[]) => boolean, timeoutMs: number, since: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (done(await host.call('sample', {}, SAMPLE_TIMEOUT_MS))) return performance.now() - since;
    await sleep(POLL_MS);
  }
  return NaN;
}

/**
 * Samples the viewers every second until each decodes the publisher's top width at
 * {@link TOP_FPS} or more, or {@link TOP_LAYER_TIMEOUT_MS} passes; ms since `since`, or NaN on
 * timeout.
 */
async function untilTopLayer(host: ChildHost<ViewerCalls>, publisher: BrowserPublisher, since: number): Promise<number> {
  const deadline = performance.now() + TOP_LAYER_TIMEOUT_MS;
  let previous = { at: performance.now(), viewers: await host.call('sample', {}, SAMPLE_TIMEOUT_MS) };
  while (performance.now() < deadline) {
    await sleep(1_000);
    const topWidth = Math.max(0, ...(await publisher.layers()).map((layer) => layer.width));
    const now = { at: performance.now(), viewers: await host.call('sample', {}, SAMPLE_TIMEOUT_MS) };
    const seconds = (now.at - previous.at) / 1000;
    const atTop = now.viewers.every(
      (v, i) => v.width >= topWidth && (v.framesDecoded - (previous.viewers[i]?.framesDecoded ?? 0)) / seconds >= TOP_FPS,
    );
    if (atTop) return now.at - since;
    previous = now;
  }
  return NaN;
}

/** The server's own figure: what its viewers' receive transports send, bits/s (mediasoup's rate over its last second). */
async function forwardedBitrate(server: ServerProcess): Promise<number> {
  // `counter` sums every series of a name; the gauge has one, unlabelled.
  return (await server.counter('switchboard_forwarded_bitrate', ''))[''] ?? NaN;
}
