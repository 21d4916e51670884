import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SdkFixture, waitFor } from './sdk-peers.js';

const BOT = fileURLToPath(new URL('./fixtures/node-bot.ts', import.meta.url));

/** Runs the bot in its own Node process (asynchronously: the server runs in this one). */
function runBot(wsUrl: string, token: string, exitCode?: number): Promise<{ code: number | null; signal: string | null; stdout: string }> {
  return new Promise((resolve) => {
    const args = ['--conditions=source', '--import', 'tsx', BOT, wsUrl, token, ...(exitCode === undefined ? [] : [String(exitCode)])];
    const child = execFile(process.execPath, args, { timeout: 30000 }, (_error, stdout) =>
      resolve({ code: child.exitCode, signal: child.signalCode, stdout }),
    );
  });
}

describe('Node bots (wrtc) end their process cleanly after leave()', function () {
  this.timeout(60000);
  let f: SdkFixture;

  before(async () => (f = await SdkFixture.start()));
  after(() => f?.close());

  it('exits with code 0 (no SIGSEGV in wrtc teardown) after its message arrived, running the app\'s exit listeners', async () => {
    const watcher = await f.join('bots', 'watcher');
    const result = await runBot(f.server.wsUrl, await f.server.token('bots', 'bot-1'));
    assert.deepEqual({ code: result.code, signal: result.signal }, { code: 0, signal: null }, result.stdout);
    assert.match(result.stdout, /left\nexit listener ran with 0\n$/);
    await waitFor(() => watcher.inbox.length === 1, 'the bot\'s message');
    assert.deepEqual(watcher.inbox[0]?.data, { text: 'bot here' });
  });

  it('keeps the exit code the bot set', async () => {
    const result = await runBot(f.server.wsUrl, await f.server.token('bots', 'bot-2'), 3);
    assert.deepEqual({ code: result.code, signal: result.signal }, { code: 3, signal: null });
    assert.match(result.stdout, /exit listener ran with 3/);
  });
});

