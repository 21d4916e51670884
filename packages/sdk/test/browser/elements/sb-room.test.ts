import { assert } from 'chai';
import { ContextConsumer } from '@lit/context';
import { LitElement } from 'lit';
import '../../../src/elements/index.js';
import { roomContext, SbRoom } from '../../../src/elements/index.js';
import type { Room } from '../../../src/index.js';
import { Cleanup, server, sleep, tokenFor, uniqueRoom, until, type TestServer } from './helpers.js';

class RoomProbe extends LitElement {
  value: Room | undefined;
  constructor() {
    super();
    new ContextConsumer(this, { context: roomContext, subscribe: true, callback: (room) => (this.value = room) });
  }
}
customElements.define('sb-test-room-probe', RoomProbe);

describe('<sb-room>', function () {
  this.timeout(20_000);
  let testServer: TestServer;
  const cleanup = new Cleanup();

  before(async () => {
    testServer = await server();
  });
  afterEach(() => cleanup.run());

  it('is registered, and registering again is harmless', async () => {
    assert.equal(customElements.get('sb-room'), SbRoom);
    await import('../../../src/elements/sb-room.js');
    assert.equal(customElements.get('sb-room'), SbRoom);
  });

  it('connects, announces it and provides the room to a descendant', async () => {
    const name = uniqueRoom('room');
    const element = await cleanup.mountRoom(testServer.wsUrl, name, 'alice', '<div><sb-test-room-probe></sb-test-room-probe></div>');
    const probe = element.querySelector<RoomProbe>('sb-test-room-probe')!;
    assert.isDefined(element.room);
    assert.strictEqual(probe.value, element.room);
    assert.equal(probe.value!.roomName, name);
    assert.equal(probe.value!.self.identity, 'alice');
    await element.updateComplete;
    const status = element.shadowRoot!.querySelector('[part="status"]')!;
    assert.equal(status.getAttribute('role'), 'status');
    assert.equal(status.getAttribute('aria-live'), 'polite');
    assert.equal(status.textContent, 'Connected');
    assert.equal(element.getAttribute('state'), 'connected');
  });

  it('leaves when removed: the other peers see it go, and the context is cleared', async () => {
    const name = uniqueRoom('leave');
    const bob = await cleanup.join(testServer.wsUrl, name, 'bob');
    const element = await cleanup.mountRoom(testServer.wsUrl, name, 'alice', '<sb-test-room-probe></sb-test-room-probe>');
    const probe = element.querySelector<RoomProbe>('sb-test-room-probe')!;
    const room = element.room!;
    await until(() => bob.peers.has(room.peerId), 'bob to see alice');
    const disconnected = new Promise<string>((resolve) => element.addEventListener('sb-disconnected', (e) => resolve(e.detail.reason)));
    element.remove();
    assert.equal(await disconnected, 'left');
    await until(() => !bob.peers.has(room.peerId), 'bob to see alice leave');
    assert.equal(room.connectionState, 'disconnected');
    assert.isUndefined(element.room);
    assert.isUndefined(probe.value);
  });

  it('reports a refused token with sb-error and a failed status', async () => {
    const element = cleanup.track(document.createElement('sb-room'));
    const failed = new Promise<unknown>((resolve) => element.addEventListener('sb-error', (e) => resolve(e.detail.error)));
    element.url = testServer.wsUrl;
    element.token = 'not-a-token';
    document.body.append(element);
    const error = await Promise.race([failed, sleep(5000).then(() => 'timeout')]);
    assert.notEqual(error, 'timeout');
    await element.updateComplete;
    assert.equal(element.state, 'failed');
    assert.match(element.shadowRoot!.querySelector('[part="status"]')!.textContent!, /^Could not connect/);
    assert.isUndefined(element.room);
  });

  it('does not connect without a token, and joins once it is set', async () => {
    const name = uniqueRoom('late');
    const element = cleanup.track(document.createElement('sb-room'));
    element.url = testServer.wsUrl;
    document.body.append(element);
    await sleep(300);
    assert.isUndefined(element.room);
    assert.equal(element.state, 'idle');
    element.token = await tokenFor(name, 'carol');
    await until(() => element.room !== undefined, 'sb-room to connect');
    assert.equal(element.room!.roomName, name);
  });
});
