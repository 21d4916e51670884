import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { DEV_SECRETS } from '../../server/src/config.js';

const CONSOLE_ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM_ARGS = createRequire(import.meta.url)('../../../scripts/chromium-flags.json') as string[];

export const SECRET: string = DEV_SECRETS.apiSecret;
export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

let built: Promise<string> | undefined;

/** The console built once per test run (the test files share it), removed when the run ends. */
export function builtConsole(): Promise<string> {
  built ??= (async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'sb-console-'));
    process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
    await build({
      root: CONSOLE_ROOT,
      configFile: join(CONSOLE_ROOT, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, modulePreload: { polyfill: false } },
    });
    return outDir;
  })();
  return built;
}

/** Sum of every series of `name` (with `labels`) in a `/metrics` text. */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^(\w+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    if (Object.entries(labels).every(([k, v]) => (match[2] ?? '').includes(`${k}="${v}"`))) sum += Number(match[3]);
  }
  return sum;
}

/** Debian's Chromium, with the project's flags. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROME_BIN ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** Browser contexts of one test file, closed together. */
export class ConsolePages {
  private readonly contexts: BrowserContext[] = [];

  constructor(
    private readonly browser: Browser,
    private readonly base: string,
  ) {}

  /** A fresh context (no saved secret) on the console's page. */
  async open(options: { viewport?: { width: number; height: number }; ignoreHTTPSErrors?: boolean } = {}): Promise<Page> {
    const context = await this.browser.newContext({ viewport: options.viewport ?? DESKTOP, colorScheme: 'light', ignoreHTTPSErrors: options.ignoreHTTPSErrors ?? false });
    this.contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${this.base}/console/`);
    return page;
  }

  async close(): Promise<void> {
    for (const context of this.contexts) await context.close().catch(() => undefined);
  }
}

export async function signIn(page: Page, secret = SECRET): Promise<void> {
  await page.locator('#secret').fill(secret);
  await page.locator('button[type="submit"]').click();
}

/** The number in an element's text (the console groups thousands and adds units). */
export async function shownNumber(page: Page, selector: string): Promise<number> {
  const text = await page.locator(selector).first().innerText();
  return Number(text.replace(/[^0-9.]/g, ''));
}

/**
 * Waits until `selector`'s number equals `expected()`, read again on each try: both sides may
 * still move while the last samples arrive. Fails with the last values seen.
 */
export async function untilEqual(page: Page, selector: string, expected: () => Promise<number>, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let shown = NaN;
  let wanted = NaN;
  for (;;) {
    wanted = await expected();
    shown = await shownNumber(page, selector).catch(() => NaN);
    if (shown === wanted) return;
    if (Date.now() > deadline) throw new Error(`${selector} shows ${shown}, expected ${wanted}`);
    await page.waitForTimeout(200);
  }
}
