import { assert } from 'chai';
import '../../../src/elements/index.js';
import type { SbPeerList } from '../../../src/elements/index.js';
import { Cleanup, server, until, uniqueRoom, type TestServer } from './helpers.js';

describe('<sb-peer-list>', function () {
  this.timeout(20_000);
  let testServer: TestServer;
  const cleanup = new Cleanup();

  before(async () => {
    testServer = await server();
  });
  afterEach(() => cleanup.run());

  const names = (list: SbPeerList): string[] =>
    [...list.shadowRoot!.querySelectorAll('[part~="peer"]')].map((li) => li.textContent!.trim());
  const count = (list: SbPeerList): string => list.shadowRoot!.querySelector('[part="count"]')!.textContent!.trim();

  it('shows a peer joining, changing its name and leaving, with a count', async () => {
    const name = uniqueRoom('peers');
    const element = await cleanup.mountRoom(testServer.wsUrl, name, 'alice', '<sb-peer-list></sb-peer-list>');
    const list = element.querySelector('sb-peer-list')!;
    await list.updateComplete;
    assert.deepEqual(names(list), []);
    assert.equal(count(list), '0 people');

    const bob = await cleanup.join(testServer.wsUrl, name, 'bob');
    await until(() => names(list).includes('bob'), 'bob in the list');
    assert.equal(count(list), '1 person');
    assert.equal(list.shadowRoot!.querySelector('[part="count"]')!.getAttribute('aria-live'), 'polite');

    await bob.updateSelf({ name: 'Bob B.' });
    await until(() => names(list).includes('Bob B.'), 'bob renamed in the list');

    await bob.leave();
    await until(() => names(list).length === 0, 'bob gone from the list');
    assert.equal(count(list), '0 people');
  });

  it('lists this peer too with show-self', async () => {
    const name = uniqueRoom('self');
    const element = await cleanup.mountRoom(testServer.wsUrl, name, 'alice', '<sb-peer-list show-self></sb-peer-list>');
    const list = element.querySelector('sb-peer-list')!;
    await until(() => names(list).length === 1, 'alice in her own list');
    assert.deepEqual(names(list), ['alice (you)']);
    assert.equal(count(list), '1 person');
  });
});
