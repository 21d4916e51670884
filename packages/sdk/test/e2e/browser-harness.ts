import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type * as Sdk from '../../src/index.js';
import { startTestServer, type TestServer } from '../../../server/test/support/test-server.js';

const SDK_ENTRY = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

// The flags every Chromium of this project runs with (karma too); fake devices stand in for
// camera and microphone.
const CHROMIUM_ARGS = createRequire(import.meta.url)('../../../../scripts/chromium-flags.json') as string[];

/**
 * Real browsers against a real server: the SDK bundled with esbuild into a page the server
 * serves (same origin, so `/dev/token` mints tokens), and Debian's Chromium driven by
 * playwright-core. Each `page()` is a separate browser context, like a separate visitor.
 */
export class BrowserHarness {
  private readonly contexts: BrowserContext[] = [];

  private constructor(
    readonly server: TestServer,
    private readonly browser: Browser,
    private readonly siteDir: string,
  ) {}

  static async start(serverFlags: string[] = []): Promise<BrowserHarness> {
    const siteDir = await mkdtemp(join(tmpdir(), 'sb-e2e-'));
    await build({
      entryPoints: [SDK_ENTRY],
      bundle: true,
      format: 'esm',
      target: 'chrome120',
      conditions: ['source'],
      outfile: join(siteDir, 'sdk.js'),
      logLevel: 'error',
    });
    await writeFile(
      join(siteDir, 'index.html'),
      '<!doctype html><meta charset="utf-8"><title>e2e</title><link rel="icon" href="data:,"><body>' +
        '<script type="module">import * as sdk from "/sdk.js"; window.sdk = sdk; window.sdkReady = true;</script>',
    );
    const server = await startTestServer(['--static-dir', siteDir, ...serverFlags]);
    const browser = await chromium.launch({ executablePath: process.env.CHROME_BIN ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    return new BrowserHarness(server, browser, siteDir);
  }

  /** A page in a fresh browser context, with the SDK loaded as `window.sdk`; console errors are collected. */
  async page(): Promise<{ page: Page; errors: string[] }> {
    const context = await this.browser.newContext();
    this.contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${this.server.server.url}/index.html`);
    await page.waitForFunction(() => (window as unknown as { sdkReady?: boolean }).sdkReady === true);
    return { page, errors };
  }

  async close(): Promise<void> {
    await Promise.all(this.contexts.map((context) => context.close()));
    await this.browser.close();
    await this.server.close();
    await rm(this.siteDir, { recursive: true, force: true });
  }
}

// What a page knows: the SDK as `window.sdk`, the room as `window.room`.
export type PageWindow = Window & { sdk: typeof Sdk; room: Sdk.Room };

/** Joins `room` from `page` with a development token; resolves with the page's peer ID. */
export async function joinFromPage(page: Page, room: string, identity: string, grants?: string): Promise<string> {
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
