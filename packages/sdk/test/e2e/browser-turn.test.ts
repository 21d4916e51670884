import assert from 'node:assert/strict';
import type * as Sdk from '../../src/index.js';
import { BrowserHarness, type TestPage as Page } from './browser-harness.js';
import { TurnServer } from './turn-server.js';

// What a page knows: the SDK as `window.sdk`, the room as `window.room`, what it received.
type PageWindow = Window & { sdk: typeof Sdk; room: Sdk.Room; received: string[] };

const TURN_SECRET = 'turn-static-auth-secret-0123456789';

/** Joins from `page` with only relayed candidates (through TURN); resolves the peer ID. */
async function joinRelayed(page: Page, room: string, identity: string, requestTimeoutMs = 20000): Promise<string> {
  return page.evaluate(
    async ({ room, identity, requestTimeoutMs }) => {
      const w = window as unknown as PageWindow;
      const { token } = (await (await fetch(`/dev/token?${new URLSearchParams({ room, identity })}`)).json()) as { token: string };
      w.received = [];
      w.room = await w.sdk.connect(location.origin.replace(/^http/, 'ws'), token, {
        iceTransportPolicy: 'relay',
        requestTimeoutMs,
        reconnect: { enabled: false },
      });
      w.room.on('message', (message) => w.received.push(`${message.from}:${String(message.data)}`));
      return w.room.peerId;
    },
    { room, identity, requestTimeoutMs },
  );
}

describe('browser end to end: TURN relay (coturn on loopback)', function () {
  this.timeout(90000);
  let turn: TurnServer;
  let harness: BrowserHarness | undefined;

  before(async () => {
    turn = await TurnServer.start(TURN_SECRET);
  });
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });
  after(() => turn?.stop());

  it('connects relay-only peers through TURN with the credentials of the join result, and messages flow', async () => {
    harness = await BrowserHarness.start(['--turn-urls', turn.url, '--turn-secret', TURN_SECRET]);
    const alice = await harness.page();
    const bob = await harness.page();
    const aliceId = await joinRelayed(alice.page, 'relay', 'alice');
    const bobId = await joinRelayed(bob.page, 'relay', 'bob');
    await alice.page.evaluate(() => (window as unknown as PageWindow).room.send('chat', 'hello from alice'));
    await bob.page.evaluate(() => (window as unknown as PageWindow).room.send('chat', 'hello from bob'));
    await bob.page.waitForFunction((from) => (window as unknown as PageWindow).received.includes(`${from}:hello from alice`), aliceId);
    await alice.page.waitForFunction((from) => (window as unknown as PageWindow).received.includes(`${from}:hello from bob`), bobId);
    // coturn authenticated the REST-API credentials (user "<expiry>:<identity>") and relayed.
    assert.match(turn.log, /user <\d+:alice>.*ALLOCATE processed, success/);
    assert.match(turn.log, /user <\d+:bob>.*ALLOCATE processed, success/);
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  });

  it('cannot connect relay-only without TURN servers (the relay policy is applied)', async () => {
    harness = await BrowserHarness.start();
    const { page } = await harness.page();
    const failure = await page.evaluate(
      async () => {
        const w = window as unknown as PageWindow;
        const { token } = (await (await fetch('/dev/token?room=relay&identity=carol')).json()) as { token: string };
        try {
          await w.sdk.connect(location.origin.replace(/^http/, 'ws'), token, {
            iceTransportPolicy: 'relay',
            requestTimeoutMs: 3000,
            reconnect: { enabled: false },
          });
          return 'connected';
        } catch (error) {
          return (error as Error).name;
        }
      },
    );
    assert.equal(failure, 'TimeoutError');
  });
});
