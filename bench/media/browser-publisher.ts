import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import type * as Sdk from '@switchboard/sdk';
import { commOf, descendantPids } from '../support/proc-tree.js';
import { sleep } from '../support/time.js';

const SDK_ENTRY = fileURLToPath(new URL('../../packages/sdk/src/index.ts', import.meta.url));
const CHROMIUM = process.env.CHROME_BIN ?? '/usr/bin/chromium';
// As packages/sdk/test/e2e/browser-harness.ts: fake devices stand in for the camera. Its fake
// camera runs at 20 fps unless told otherwise.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--use-fake-device-for-media-stream=fps=30',
  '--use-fake-ui-for-media-stream',
];
const PAGE = '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><body><script type="module">import * as sdk from "/sdk.js"; window.sdk = sdk; window.sdkReady = true;</script>';
const PUBLISH_TIMEOUT_MS = 20_000;

/** The camera the publisher asks for: 720p, so the SDK sends three layers (1/4, 1/2, full). */
export const CAMERA = { width: 1280, height: 720, frameRate: 30 } as const;

/** One simulcast layer as the publishing browser sends it, from its `outbound-rtp` stats. */
export interface SentLayer {
  rid: string;
  width: number;
  height: number;
  fps: number;
  bytesSent: number;
  /** Why the browser sends less than asked, if it does: `cpu`, `bandwidth` or `none`. */
  limitation: string;
}

// What the page holds: the SDK as `window.sdk`, and the room and track once published.
type PageWindow = Window & { sdk: typeof Sdk; room?: Sdk.Room; camera?: Sdk.LocalTrack };

/**
 * The publisher: Debian's Chromium (playwright-core) with its fake camera at 1280×720, publishing
 * through the SDK with `simulcast: true`, as a browser application would. Chromium rather than a
 * wrtc track because wrtc's tracks report 640×480 whatever they carry, so the SDK would ask for
 * two layers, not three (docs/sdk.md, "Node media"), and wrtc's synthetic frames are nearly
 * still, so they would encode to a few kbit/s instead of a camera's bitrate.
 */
export class BrowserPublisher {
  private constructor(
    private readonly browser: Browser,
    private readonly page: Page,
    private readonly site: Server,
    /** Console errors and page errors the browser reported, for the report. */
    readonly errors: string[],
  ) {}

  /** Bundles the SDK, serves it on 127.0.0.1, launches Chromium and opens the page (not yet joined). */
  static async launch(): Promise<BrowserPublisher> {
    const bundle = await build({
      entryPoints: [SDK_ENTRY],
      bundle: true,
      format: 'esm',
      target: 'chrome120',
      conditions: ['source'],
      write: false,
      logLevel: 'error',
    });
    const sdkJs = bundle.outputFiles[0]!.contents;
    // A page on 127.0.0.1 is a secure context, which getUserMedia requires.
    const site = createServer((request, response) => {
      const js = request.url === '/sdk.js';
      response.writeHead(200, { 'Content-Type': js ? 'text/javascript' : 'text/html' });
      response.end(js ? sdkJs : PAGE);
    });
    site.listen(0, '127.0.0.1');
    await new Promise((resolve) => site.once('listening', resolve));
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      const page = await (await browser.newContext()).newPage();
      const errors: string[] = [];
      page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`);
      await page.waitForFunction(() => (window as unknown as { sdkReady?: boolean }).sdkReady === true, undefined, { timeout: 10_000 });
      return new BrowserPublisher(browser, page, site, errors);
    } catch (error) {
      await browser?.close();
      site.close();
      throw error;
    }
  }

  /** Joins `wsUrl` with `token` and publishes the camera with three simulcast layers. */
  async publish(wsUrl: string, token: string): Promise<void> {
    await this.page.evaluate(
      async ({ wsUrl, token, camera }) => {
        const w = window as unknown as PageWindow;
        w.room = await w.sdk.connect(wsUrl, token);
        w.camera = await w.room.publish(await w.sdk.openCamera(camera), { name: 'camera', simulcast: true });
      },
      { wsUrl, token, camera: CAMERA },
    );
  }

  /** Stops the camera and leaves the room (the page stays open, to publish again). */
  async unpublish(): Promise<void> {
    await this.page.evaluate(async () => {
      const w = window as unknown as PageWindow;
      await w.camera?.stop();
      await w.room?.leave();
    });
  }

  /** The layers being sent, lowest first (empty before the first packets). */
  layers(): Promise<SentLayer[]> {
    return this.page.evaluate(async () => {
      const w = window as unknown as PageWindow;
      const layers: SentLayer[] = [];
      (await w.camera!.getStats()).forEach((entry: Record<string, unknown>) => {
        if (entry.type !== 'outbound-rtp' || entry.kind !== 'video') return;
        layers.push({
          rid: String(entry.rid ?? ''),
          width: Number(entry.frameWidth ?? 0),
          height: Number(entry.frameHeight ?? 0),
          fps: Number(entry.framesPerSecond ?? 0),
          bytesSent: Number(entry.bytesSent ?? 0),
          limitation: String(entry.qualityLimitationReason ?? 'unknown'),
        });
      });
      return layers.sort((a, b) => a.width - b.width || a.rid.localeCompare(b.rid));
    });
  }

  /**
   * Waits until three layers are sent, the top one at least 960 wide, none limited (the browser's
   * bandwidth estimate ramps up first), or `timeoutMs`; returns the layers as they are then.
   */
  async untilThreeLayers(timeoutMs = PUBLISH_TIMEOUT_MS): Promise<SentLayer[]> {
    const deadline = performance.now() + timeoutMs;
    const ready = (layers: SentLayer[]) =>
      layers.length === 3 && layers[2]!.width >= 960 && layers.every((layer) => layer.fps > 0 && layer.limitation === 'none');
    let layers = await this.layers();
    while (performance.now() < deadline && !ready(layers)) {
      await sleep(250);
      layers = await this.layers();
    }
    return layers;
  }

  /** Chromium's version, for the report. */
  get version(): string {
    return this.browser.version();
  }

  /** PIDs of the browser's processes (the renderer encodes the video), for a CPU meter. */
  pids(): number[] {
    return descendantPids(process.pid).filter((pid) => /chrom/i.test(commOf(pid) ?? ''));
  }

  /** Leaves the room and closes the browser and the page's server. */
  async close(): Promise<void> {
    await this.page
      .evaluate(async () => {
        const w = window as unknown as PageWindow;
        await w.camera?.stop();
        await w.room?.leave();
      })
      .catch(() => undefined);
    await this.browser.close().catch(() => undefined);
    this.site.closeAllConnections();
    this.site.close();
  }
}
