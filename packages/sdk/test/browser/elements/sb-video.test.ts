import { assert } from 'chai';
import '../../../src/elements/index.js';
import type { SbVideo } from '../../../src/elements/index.js';
import { openCamera, RemoteTrack } from '../../../src/index.js';
import { Cleanup, server, until, uniqueRoom, type TestServer } from './helpers.js';

describe('<sb-video>', function () {
  this.timeout(20_000);
  let testServer: TestServer;
  const cleanup = new Cleanup();
  const opened: MediaStreamTrack[] = [];

  before(async () => {
    testServer = await server();
  });
  afterEach(async () => {
    for (const track of opened.splice(0)) track.stop();
    await cleanup.run();
  });

  /**
   * Records whether an update of `view` ended with another one already scheduled: what Lit's
   * development build warns about ("scheduled an update after an update completed").
   */
  const watchUpdates = (view: SbVideo): { rescheduled: number; updates: number } => {
    const seen = { rescheduled: 0, updates: 0 };
    const element = view as unknown as { updated(changed: unknown): void; isUpdatePending: boolean };
    const updated = element.updated.bind(element);
    element.updated = (changed) => {
      updated(changed);
      seen.updates++;
      if (element.isUpdatePending) seen.rescheduled++;
    };
    return seen;
  };

  const placeholder = (video: SbVideo): HTMLElement => video.shadowRoot!.querySelector<HTMLElement>('[part="placeholder"]')!;

  it("plays another peer's camera by peer and name, with a placeholder until frames arrive and after it is gone", async () => {
    const name = uniqueRoom('video');
    const alice = await cleanup.join(testServer.wsUrl, name, 'alice');
    const element = await cleanup.mountRoom(testServer.wsUrl, name, 'bob', `<sb-video peer="${alice.peerId}" name="camera" fit="cover"></sb-video>`);
    const view = element.querySelector('sb-video')!;
    const updates = watchUpdates(view);
    await view.updateComplete;
    assert.isFalse(view.ready);
    assert.equal(getComputedStyle(placeholder(view)).display, 'flex');
    assert.equal(placeholder(view).textContent!.trim(), 'No video');
    assert.equal(view.videoElement!.getAttribute('aria-label'), "alice's camera");
    assert.equal(getComputedStyle(view.videoElement!).objectFit, 'cover');

    const camera = await openCamera({ width: 320, height: 240 });
    opened.push(camera);
    const published = await alice.publish(camera);
    await until(() => view.ready, 'frames in <sb-video>', 10_000);
    const video = view.videoElement!;
    assert.isAbove(video.videoWidth, 0);
    assert.isTrue(video.muted);
    assert.equal(view.currentTrack?.name, 'camera');
    assert.isTrue(view.hasAttribute('ready'));
    assert.equal(getComputedStyle(placeholder(view)).display, 'none');

    // Unpublished: detached (after the SDK's grace period), placeholder back.
    await published.stop();
    await until(() => view.currentTrack === undefined, 'the track to be detached', 8_000);
    await view.updateComplete;
    assert.isFalse(view.ready);
    assert.isNull(video.srcObject);
    assert.equal(getComputedStyle(placeholder(view)).display, 'flex');
    // Attaching and detaching happened after renders that had already chosen the track.
    assert.isAbove(updates.updates, 2);
    assert.equal(updates.rescheduled, 0);
  });

  it("follows a user's camera by identity across a rejoin (a new peer ID)", async () => {
    const name = uniqueRoom('identity');
    const element = await cleanup.mountRoom(testServer.wsUrl, name, 'bob', '<sb-video identity="alice" name="camera"></sb-video>');
    const view = element.querySelector('sb-video')!;
    const first = await cleanup.join(testServer.wsUrl, name, 'alice');
    const camera = await openCamera({ width: 320, height: 240 });
    opened.push(camera);
    await first.publish(camera);
    await until(() => view.ready && view.currentTrack instanceof RemoteTrack && view.currentTrack.peerId === first.peerId, "alice's first session's camera", 10_000);
    assert.equal(view.videoElement!.getAttribute('aria-label'), "alice's camera");

    await first.leave();
    await until(() => view.currentTrack === undefined, 'the camera of the session that left to be detached', 8_000);
    const second = await cleanup.join(testServer.wsUrl, name, 'alice');
    assert.notEqual(second.peerId, first.peerId);
    const again = await openCamera({ width: 320, height: 240 });
    opened.push(again);
    await second.publish(again);
    await until(() => view.ready && view.currentTrack instanceof RemoteTrack && view.currentTrack.peerId === second.peerId, "alice's rejoined session's camera", 10_000);
    assert.isAbove(view.videoElement!.videoWidth, 0);
  });

  it('plays a local track given as a property, and a slotted placeholder', async () => {
    const name = uniqueRoom('local');
    const element = await cleanup.mountRoom(
      testServer.wsUrl,
      name,
      'alice',
      '<sb-video mirror style="--sb-video-fit: fill"><span slot="placeholder">Camera off</span></sb-video>',
    );
    const view = element.querySelector('sb-video')!;
    await view.updateComplete;
    assert.equal(getComputedStyle(view.videoElement!).objectFit, 'fill');
    assert.equal(view.shadowRoot!.querySelector('slot')!.assignedElements()[0]!.textContent, 'Camera off');
    const camera = await openCamera();
    opened.push(camera);
    view.track = await element.room!.publish(camera);
    await until(() => view.ready, 'the self-view to show frames', 10_000);
    assert.isAbove(view.videoElement!.videoWidth, 0);
    view.track = undefined;
    await until(() => !view.ready && view.currentTrack === undefined, 'the self-view to be cleared');
  });
});
