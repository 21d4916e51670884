import { assert } from 'chai';
import '../../../src/elements/index.js';
import type { SbPublisher } from '../../../src/elements/index.js';
import type { RemoteTrack } from '../../../src/index.js';
import { Cleanup, server, until, uniqueRoom, type TestServer } from './helpers.js';

describe('<sb-publisher>', function () {
  this.timeout(20_000);
  let testServer: TestServer;
  const cleanup = new Cleanup();

  before(async () => {
    testServer = await server();
  });
  afterEach(() => cleanup.run());

  const button = (publisher: SbPublisher, source: string): HTMLButtonElement =>
    publisher.shadowRoot!.querySelector<HTMLButtonElement>(`[part~="toggle"][part~="${source}"]`)!;
  const error = (publisher: SbPublisher): HTMLElement => publisher.shadowRoot!.querySelector<HTMLElement>('[part="error"]')!;

  it('publishes the camera another client sees, and unpublishes it when toggled off', async () => {
    const name = uniqueRoom('publisher');
    const bob = await cleanup.join(testServer.wsUrl, name, 'bob');
    const published: RemoteTrack[] = [];
    const unpublished: RemoteTrack[] = [];
    bob.on('trackPublished', ({ track }) => published.push(track));
    bob.on('trackUnpublished', ({ track }) => unpublished.push(track));
    const element = await cleanup.mountRoom(testServer.wsUrl, name, 'alice', '<sb-publisher sources="camera microphone"></sb-publisher>');
    const publisher = element.querySelector('sb-publisher')!;
    await publisher.updateComplete;
    assert.isNull(publisher.shadowRoot!.querySelector('[part~="screen"]'));
    const camera = button(publisher, 'camera');
    assert.equal(camera.getAttribute('aria-pressed'), 'false');
    assert.equal(camera.textContent!.trim(), 'Camera');

    const events: string[] = [];
    publisher.addEventListener('sb-published', (e) => events.push(`published ${e.detail.source}`));
    publisher.addEventListener('sb-unpublished', (e) => events.push(`unpublished ${e.detail.source} ${e.detail.reason}`));
    camera.click();
    await until(() => published.length === 1, 'bob to see the camera', 10_000);
    assert.equal(published[0]!.name, 'camera');
    assert.equal(published[0]!.source, 'camera');
    assert.equal(published[0]!.kind, 'video');
    await until(() => publisher.isOn('camera'), 'the publisher to say the camera is on');
    await publisher.updateComplete;
    assert.equal(button(publisher, 'camera').getAttribute('aria-pressed'), 'true');
    const media = publisher.published.get('camera')!.mediaStreamTrack;
    assert.equal(media.readyState, 'live');
    // Device choice: once allowed, the camera's <select> lists the (fake) devices.
    await until(() => publisher.shadowRoot!.querySelector('select[part~="camera"]') !== null, 'the camera device list');
    const select = publisher.shadowRoot!.querySelector<HTMLSelectElement>('select[part~="camera"]')!;
    assert.equal(select.getAttribute('aria-label'), 'Camera device');
    assert.isAbove(select.options.length, 0);

    button(publisher, 'camera').click();
    await until(() => !publisher.isOn('camera'), 'the camera toggled off');
    await publisher.updateComplete;
    assert.equal(button(publisher, 'camera').getAttribute('aria-pressed'), 'false');
    assert.equal(media.readyState, 'ended');
    assert.equal(element.room!.localTracks.size, 0);
    // Subscribers learn of an explicit stop after the SDK's 3 s grace period.
    await until(() => unpublished.length === 1, 'bob to see the camera go', 8_000);
    assert.strictEqual(unpublished[0], published[0]);
    assert.deepEqual(events, ['published camera', 'unpublished camera stopped']);
  });

  it('explains kindly in an alert when the token may not publish', async () => {
    const name = uniqueRoom('nopublish');
    const element = document.createElement('sb-room');
    element.innerHTML = '<sb-publisher sources="camera"></sb-publisher>';
    cleanup.track(element);
    const query = new URLSearchParams({ room: name, identity: 'viewer', grants: 'subscribe,sendData,receiveData' });
    const token = ((await (await fetch(`/switchboard-test-server/token?${query}`)).json()) as { token: string }).token;
    element.url = testServer.wsUrl;
    element.token = token;
    const connected = new Promise((resolve) => element.addEventListener('sb-connected', resolve, { once: true }));
    document.body.append(element);
    await connected;
    const publisher = element.querySelector('sb-publisher')!;
    const failures: unknown[] = [];
    publisher.addEventListener('sb-publish-error', (e) => failures.push(e.detail.error));
    assert.isFalse(await publisher.start('camera'));
    await publisher.updateComplete;
    assert.equal(error(publisher).getAttribute('role'), 'alert');
    assert.equal(error(publisher).textContent, 'You are not allowed to share your camera in this room.');
    assert.equal(failures.length, 1);
    assert.equal(button(publisher, 'camera').getAttribute('aria-pressed'), 'false');
    assert.isFalse(publisher.isOn('camera'));
  });
});
