import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import type * as Sdk from '../../src/index.js';
import { startTestServer, type TestServer } from '../../../server/test/support/test-server.js';

const SDK_ENTRY = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
const require = createRequire(import.meta.url);

// The flags every Chromium of this project runs with (karma too); fake devices stand in for
// camera and microphone.
const CHROMIUM_ARGS = require('../../../../scripts/chromium-flags.json') as string[];
// The prefs every Firefox of this project runs with (karma too): fake devices without a prompt,
// and plain host candidates (not mDNS names, which nothing resolves in the test namespace).
const FIREFOX_PREFS = require('../../../../scripts/firefox-prefs.json') as Record<string, unknown>;

/**
 * The browsers a test can open pages in: Debian's Chromium (playwright-core) and Firefox ESR
 * (puppeteer-core over WebDriver BiDi: Playwright cannot drive a stock Firefox). Firefox never
 * uses a server's loopback candidates, so its pages need the server's non-loopback address that
 * scripts/test-netns.sh provides.
 */
export type BrowserName = 'chromium' | 'firefox';

/** What a test does with a page, the same in every browser (Playwright's signatures). */
export interface TestPage {
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  waitForFunction<A = undefined>(fn: (arg: A) => unknown, arg?: A, options?: { timeout?: number }): Promise<void>;
  addScriptTag(options: { content: string }): Promise<void>;
}

/** One browser process; each `open` is a separate context, like a separate visitor. */
interface TestBrowser {
  open(url: string, errors: string[]): Promise<TestPage>;
  close(): Promise<void>;
}

async function launchChromium(): Promise<TestBrowser> {
  const browser = await chromium.launch({ executablePath: process.env.CHROME_BIN ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  return {
    async open(url, errors) {
      const page = await (await browser.newContext()).newPage();
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(url);
      return {
        evaluate: (fn, arg) => page.evaluate(fn, arg as never),
        waitForFunction: async (fn, arg, options) => void (await page.waitForFunction(fn, arg as never, options)),
        addScriptTag: async (options) => void (await page.addScriptTag(options)),
      };
    },
    close: () => browser.close(),
  };
}

async function launchFirefox(): Promise<TestBrowser> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: process.env.FIREFOX_BIN ?? '/usr/bin/firefox-esr',
    headless: true,
    extraPrefsFirefox: FIREFOX_PREFS,
  });
  return {
    async open(url, errors) {
      const page = await (await browser.createBrowserContext()).newPage();
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push((error as Error).message));
      await page.goto(url);
      return {
        evaluate: (fn, arg) => page.evaluate(fn as (arg: unknown) => never, arg),
        waitForFunction: async (fn, arg, options) =>
          void (await page.waitForFunction(fn as (arg: unknown) => unknown, { timeout: options?.timeout ?? 30000 }, arg)),
        addScriptTag: async (options) => void (await page.addScriptTag(options)),
      };
    },
    close: () => browser.close(),
  };
}

const LAUNCH: Record<BrowserName, () => Promise<TestBrowser>> = { chromium: launchChromium, firefox: launchFirefox };

/**
 * Real browsers against a real server: the SDK bundled with esbuild into a page the server
 * serves (same origin, so `/dev/token` mints tokens), in Debian's Chromium and Firefox ESR, each
 * launched on its first page.
 */
export class BrowserHarness {
  private readonly browsers = new Map<BrowserName, Promise<TestBrowser>>();

  private constructor(
    readonly server: TestServer,
    private readonly siteDir: string,
  ) {}

  static async start(serverFlags: string[] = []): Promise<BrowserHarness> {
    const siteDir = await mkdtemp(join(tmpdir(), 'sb-e2e-'));
    await build({
      entryPoints: [SDK_ENTRY],
      bundle: true,
      format: 'esm',
      target: ['chrome120', 'firefox128'],
      conditions: ['source'],
      outfile: join(siteDir, 'sdk.js'),
      logLevel: 'error',
    });
    await writeFile(
      join(siteDir, 'index.html'),
      '<!doctype html><meta charset="utf-8"><title>e2e</title><link rel="icon" href="data:,"><body>' +
        '<script type="module">import * as sdk from "/sdk.js"; window.sdk = sdk; window.sdkReady = true;</script>',
    );
    // In scripts/test-netns.sh, WebRTC also listens on the namespace's own non-loopback address,
    // as a development server does on the LAN address: Firefox connects there, Chromium on loopback.
    const lanIp = process.env.SWITCHBOARD_TEST_LAN_IP;
    const server = await startTestServer(['--static-dir', siteDir, ...(lanIp ? ['--rtc-lan-ip', lanIp] : []), ...serverFlags]);
    return new BrowserHarness(server, siteDir);
  }

  /** A page in a fresh context of `browser`, with the SDK loaded as `window.sdk`; console errors are collected. */
  async page(browser: BrowserName = 'chromium'): Promise<{ page: TestPage; errors: string[] }> {
    let launched = this.browsers.get(browser);
    if (!launched) this.browsers.set(browser, (launched = LAUNCH[browser]()));
    const errors: string[] = [];
    const page = await (await launched).open(`${this.server.server.url}/index.html`, errors);
    await page.waitForFunction(() => (window as unknown as { sdkReady?: boolean }).sdkReady === true);
    return { page, errors };
  }

  async close(): Promise<void> {
    const browsers = await Promise.allSettled(this.browsers.values());
    await Promise.all(browsers.map((b) => (b.status === 'fulfilled' ? b.value.close() : undefined)));
    await this.server.close();
    await rm(this.siteDir, { recursive: true, force: true });
  }
}

// What a page knows: the SDK as `window.sdk`, the room as `window.room`.
export type PageWindow = Window & { sdk: typeof Sdk; room: Sdk.Room };

/** Joins `room` from `page` with a development token; resolves with the page's peer ID. */
export async function joinFromPage(page: Pick<TestPage, 'evaluate'>, room: string, identity: string, grants?: string): Promise<string> {
  return page.evaluate(
    async ({ room, identity, grants }) => {
      const w = window as unknown as PageWindow;
      const query = new URLSearchParams({ room, identity, ...(grants ? { grants } : {}) });
      const { token } = (await (await fetch(`/dev/token?${query}`)).json()) as { token: string };
      w.room = await w.sdk.connect(location.origin.replace(/^http/, 'ws'), token);
      return w.room.peerId;
    },
    { room, identity, grants },
  );
}
