import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { startTestServer, type TestServer } from '../../../server/test/support/test-server.js';

const DEMO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM_ARGS = createRequire(import.meta.url)('../../../../scripts/chromium-flags.json') as string[];

/** Where the docs' screenshots go. */
export const IMAGES = fileURLToPath(new URL('../../../../docs/images/', import.meta.url));
/** Screenshots for the docs are only written on request, so that test runs leave the tree alone. */
export const SCREENSHOTS = process.env.DEMO_SCREENSHOTS === '1';

export interface Viewport {
  width: number;
  height: number;
}

/** A phone (iPhone 12 to 15) and a common laptop screen. */
export const PHONE: Viewport = { width: 390, height: 844 };
export const DESKTOP: Viewport = { width: 1366, height: 768 };

interface Visitor {
  name: string;
  page: Page;
  errors: string[];
}

/**
 * The built demo, served by a real dev-mode server as `npm run demo` runs it, in Debian's
 * Chromium with fake camera and microphone: each visitor is a separate browser context.
 */
export class DemoHarness {
  readonly visitors: Visitor[] = [];
  private outDir = '';
  private server: TestServer | undefined;
  private browser: Browser | undefined;

  get url(): string {
    if (!this.server) throw new Error('the demo is not started');
    return this.server.server.url;
  }

  async start(): Promise<void> {
    this.outDir = await mkdtemp(join(tmpdir(), 'sb-demo-'));
    await build({
      root: DEMO_ROOT,
      configFile: join(DEMO_ROOT, 'vite.config.ts'),
      logLevel: 'warn',
      // Under mocha (node --conditions=source), Vite fails to resolve its own
      // "vite/modulepreload-polyfill"; Chromium supports modulepreload natively anyway.
      build: { outDir: this.outDir, emptyOutDir: true, modulePreload: { polyfill: false } },
    });
    // As `npm run demo` runs it: rooms keep their last comments for late joiners.
    this.server = await startTestServer(['--static-dir', this.outDir, '--history-limit', '20', '--history-types', 'comment']);
    if (SCREENSHOTS) await mkdir(IMAGES, { recursive: true });
    this.browser = await chromium.launch({ executablePath: process.env.CHROME_BIN ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  }

  /**
   * Opens `path` in a new visitor's browser. `beforeLoad` runs in the page before its scripts
   * (e.g. to slow its network down); console errors matching `allowConsoleErrors` are expected.
   */
  async open(
    name: string,
    path: string,
    options: { viewport?: Viewport; colorScheme?: 'light' | 'dark'; beforeLoad?: () => void; allowConsoleErrors?: RegExp } = {},
  ): Promise<Page> {
    if (!this.browser) throw new Error('the demo is not started');
    const context = await this.browser.newContext({ viewport: options.viewport ?? { width: 960, height: 720 }, colorScheme: options.colorScheme ?? 'light' });
    // Generous waits: several engineers' Chromium tests share two cores.
    context.setDefaultTimeout(60_000);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && !options.allowConsoleErrors?.test(message.text())) errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    if (options.beforeLoad) await page.addInitScript(options.beforeLoad);
    this.visitors.push({ name, page, errors });
    await page.goto(`${this.url}/${path}`);
    return page;
  }

  /** Prints each page's room state and first text, to tell why a test failed. */
  async describe(): Promise<void> {
    for (const { name, page, errors } of this.visitors) {
      const state = await page.evaluate(() => [document.querySelector('sb-room')?.getAttribute('state'), document.body.innerText.slice(0, 300)]).catch(String);
      console.log(`[${name}] sb-room state and text:`, JSON.stringify(state), errors);
    }
  }

  /** Every console error of every page, prefixed with the visitor's name. */
  errors(): string[] {
    return this.visitors.flatMap(({ name, errors }) => errors.map((error) => `${name}: ${error}`));
  }

  async stop(): Promise<void> {
    await this.browser?.close();
    await this.server?.close();
    if (this.outDir) await rm(this.outDir, { recursive: true, force: true });
  }
}

/**
 * For `beforeLoad`: the page's data channels become slow, as over a slow network. Everything the
 * page sends leaves 400 ms later, in order, so the server's receipts come back that much later.
 */
export function slowDataChannels(): void {
  const DELAY_MS = 400;
  const send = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: string | Blob | ArrayBuffer | ArrayBufferView) {
    // A copy: the caller may reuse its buffer once send() returns.
    const copy = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() : data;
    setTimeout(() => {
      if (this.readyState === 'open') send.call(this, copy as Uint8Array<ArrayBuffer>);
    }, DELAY_MS);
  };
}
