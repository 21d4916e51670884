import { assert } from 'chai';
import '../../../src/elements/index.js';
import type { SbVideo, SbVideoGrid } from '../../../src/elements/index.js';
import { openCamera, RemoteTrack } from '../../../src/index.js';
import { Cleanup, server, until, uniqueRoom, type TestServer } from './helpers.js';

describe('<sb-video-grid>', function () {
  this.timeout(30_000);
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

  const tiles = (grid: SbVideoGrid): { identity: string; caption: string; video: SbVideo }[] =>
    [...grid.shadowRoot!.querySelectorAll<HTMLElement>('[part="tile"]')].map((tile) => ({
      identity: tile.dataset['identity']!,
      caption: tile.querySelector('figcaption')!.textContent!.trim(),
      video: tile.querySelector('sb-video')!,
    }));
  const camera = async (): Promise<MediaStreamTrack> => {
    const track = await openCamera({ width: 320, height: 240 });
    opened.push(track);
    return track;
  };

  it("shows a tile per user playing their camera, plays a rejoined user's new session in their tile, and removes it when they leave", async () => {
    const name = uniqueRoom('grid');
    const element = await cleanup.mountRoom(testServer.wsUrl, name, 'bob', '<sb-video-grid></sb-video-grid>');
    const grid = element.querySelector('sb-video-grid')!;
    await grid.updateComplete;
    assert.deepEqual(tiles(grid), []);

    const alice = await cleanup.join(testServer.wsUrl, name, 'alice');
    const carol = await cleanup.join(testServer.wsUrl, name, 'carol');
    await alice.publish(await camera());
    await until(() => tiles(grid).length === 2, 'two tiles');
    assert.deepEqual(tiles(grid).map((t) => [t.identity, t.caption]), [['alice', 'alice'], ['carol', 'carol']]);
    // Absent for a moment while alice rejoins: her old session's tile goes before the new one comes.
    const aliceTile = (): SbVideo | undefined => tiles(grid).find((t) => t.identity === 'alice')?.video;
    await until(() => aliceTile()?.ready === true, "frames in alice's tile", 10_000);
    // Carol publishes nothing: her tile shows the placeholder.
    assert.isFalse(tiles(grid).find((t) => t.identity === 'carol')!.video.ready);

    // Alice rejoins under a new peer ID and publishes again: her tile plays the new track.
    await alice.leave();
    const again = await cleanup.join(testServer.wsUrl, name, 'alice');
    await again.publish(await camera());
    await until(() => {
      const tile = aliceTile();
      const track = tile?.currentTrack;
      return tile?.ready === true && track instanceof RemoteTrack && track.peerId === again.peerId;
    }, "the rejoined session's camera in alice's tile", 10_000);

    await carol.leave();
    await until(() => tiles(grid).length === 1, "carol's tile to go");
    assert.deepEqual(tiles(grid).map((t) => t.identity), ['alice']);
  });
});
