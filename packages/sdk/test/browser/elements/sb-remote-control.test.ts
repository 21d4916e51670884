import { assert } from 'chai';
import '../../../src/elements/index.js';
import type { PlayerState, SbControlledPlayer, SbRemoteControl } from '../../../src/elements/index.js';
import { Cleanup, server, until, uniqueRoom, type TestServer } from './helpers.js';
import { toneUrl } from './media-helpers.js';

describe('<sb-remote-control> and <sb-controlled-player>', function () {
  this.timeout(20_000);
  let testServer: TestServer;
  let url: string;
  const cleanup = new Cleanup();

  before(async () => {
    testServer = await server();
    url = toneUrl(6);
  });
  after(() => URL.revokeObjectURL(url));
  afterEach(() => cleanup.run());

  const parts = (control: SbRemoteControl) => {
    const root = control.shadowRoot!;
    return {
      play: root.querySelector<HTMLButtonElement>('[part="play"]')!,
      seek: root.querySelector<HTMLInputElement>('[part="seek"]')!,
      volume: root.querySelector<HTMLInputElement>('[part="volume"]')!,
      rate: root.querySelector<HTMLSelectElement>('[part="rate"]')!,
      time: root.querySelector<HTMLElement>('[part="time"]')!,
      status: root.querySelector<HTMLElement>('[part="status"]')!,
      error: root.querySelector<HTMLElement>('[part="error"]')!,
    };
  };

  /** Mounts the player (its own <sb-room>) with a playing, muted, seekable tone. */
  async function mountPlayer(roomName: string): Promise<{ player: SbControlledPlayer; video: HTMLVideoElement; peerId: string }> {
    const element = await cleanup.mountRoom(
      testServer.wsUrl,
      roomName,
      'player',
      `<sb-controlled-player><video muted autoplay src="${url}"></video></sb-controlled-player>`,
    );
    const player = element.querySelector('sb-controlled-player')!;
    const video = player.querySelector('video')!;
    video.muted = true;
    // Autoplay does not start for an element parsed before it was in the document: start it.
    await video.play();
    await until(() => !video.paused && video.duration > 5, 'the tone to play', 10_000);
    assert.strictEqual(player.mediaElement, video);
    return { player, video, peerId: element.room!.peerId };
  }

  async function mountControl(roomName: string, identity: string, target: string): Promise<SbRemoteControl> {
    const element = await cleanup.mountRoom(testServer.wsUrl, roomName, identity, `<sb-remote-control target="${target}"></sb-remote-control>`);
    return element.querySelector('sb-remote-control')!;
  }

  const change = (input: HTMLInputElement | HTMLSelectElement, value: string): void => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  };

  it('pauses, seeks and sets the volume from one controller, and both controllers show the reported state', async () => {
    const name = uniqueRoom('remote');
    const { video, peerId } = await mountPlayer(name);
    const a = await mountControl(name, 'controller-a', peerId);
    const b = await mountControl(name, 'controller-b', peerId);
    const statesOfB: PlayerState[] = [];
    b.addEventListener('sb-state', (event) => statesOfB.push(event.detail.state));

    // Both learn the state on joining, and from the reports while playing.
    await until(() => a.state?.paused === false && b.state?.paused === false, 'both controllers to show it playing');
    await a.updateComplete;
    const pa = parts(a);
    assert.equal(pa.play.textContent!.trim(), 'Pause');
    assert.isFalse(pa.play.disabled);
    assert.equal(pa.status.textContent, '');
    assert.equal(pa.seek.getAttribute('aria-label'), 'Position');
    assert.closeTo(Number(pa.seek.max), 6, 0.1);

    // Pause: click, as a user would (a button is keyboard-operable as is).
    pa.play.click();
    await until(() => video.paused, 'the video to pause');
    await until(() => a.state?.paused === true && b.state?.paused === true, 'both controllers to show it paused');
    await Promise.all([a.updateComplete, b.updateComplete]);
    assert.equal(parts(a).play.textContent!.trim(), 'Play');
    assert.equal(parts(b).play.textContent!.trim(), 'Play');

    // Seek with the slider.
    change(pa.seek, '3.5');
    await until(() => Math.abs(video.currentTime - 3.5) < 0.2, 'the video to seek to 3.5 s');
    await until(
      () => Math.abs((a.state?.currentTime ?? 0) - 3.5) < 0.2 && Math.abs((b.state?.currentTime ?? 0) - 3.5) < 0.2,
      'both controllers to show 0:03',
    );
    await Promise.all([a.updateComplete, b.updateComplete]);
    assert.match(parts(b).time.textContent!, /^0:03 \/ 0:06$/);
    assert.closeTo(Number(parts(b).seek.value), 3.5, 0.2);

    // Volume with the slider.
    change(pa.volume, '0.3');
    await until(() => Math.abs(video.volume - 0.3) < 0.01, 'the video volume to be 0.3');
    await until(() => a.state?.volume === video.volume && b.state?.volume === video.volume, 'both controllers to show 30 %');
    await Promise.all([a.updateComplete, b.updateComplete]);
    assert.closeTo(Number(parts(b).volume.value), 0.3, 0.01);
    assert.match(parts(b).volume.getAttribute('aria-valuetext')!, /^30%/);

    // Rate with the select, and play again through the API.
    change(pa.rate, '1.5');
    await until(() => video.playbackRate === 1.5 && b.state?.playbackRate === 1.5, 'rate 1.5 everywhere');
    assert.isTrue(await b.play());
    await until(() => !video.paused && a.state?.paused === false && b.state?.paused === false, 'playing again everywhere');
    assert.isAtLeast(statesOfB.length, 4);
  });

  it('is aria-disabled and says why until the player reports, then ready; mutes and unmutes the player', async () => {
    const name = uniqueRoom('mute');
    const { video, peerId } = await mountPlayer(name);
    const control = await mountControl(name, 'controller', '');
    await until(() => control.room !== undefined, 'the controller to join');
    await control.updateComplete;
    const group = control.shadowRoot!.querySelector('[part="controls"]')!;
    assert.isFalse(control.ready);
    assert.isFalse(control.hasAttribute('ready'));
    assert.equal(group.getAttribute('aria-disabled'), 'true');
    assert.equal(parts(control).status.textContent, 'Not paired with a player.');
    assert.isTrue(parts(control).play.disabled);

    control.target = peerId;
    await until(() => control.ready, 'the controller to be ready');
    await control.updateComplete;
    assert.isTrue(control.hasAttribute('ready'));
    assert.equal(group.getAttribute('aria-disabled'), 'false');
    const mute = control.shadowRoot!.querySelector<HTMLButtonElement>('[part="mute"]')!;
    // The tone plays muted: the button offers to unmute, pressed.
    assert.equal(mute.getAttribute('aria-pressed'), 'true');
    assert.equal(mute.textContent!.trim(), 'Unmute');

    assert.isTrue(await control.setMuted(false));
    await until(() => !video.muted && control.state?.muted === false, 'the player to unmute and report it');
    await control.updateComplete;
    assert.equal(mute.getAttribute('aria-pressed'), 'false');
    mute.click();
    await until(() => video.muted && control.state?.muted === true, 'the player to mute and report it');
  });

  it('ignores broadcast control messages and obeys targeted ones', async () => {
    const name = uniqueRoom('broadcast');
    const { video, peerId } = await mountPlayer(name);
    const other = await cleanup.join(testServer.wsUrl, name, 'someone');
    await until(() => other.peers.has(peerId), 'the player among the peers');
    await other.send('control', { action: 'pause' });
    await other.send('control', { action: 'seek' }); // no value: ignored
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.isFalse(video.paused);
    await other.send('control', { action: 'pause' }, { to: peerId });
    await until(() => video.paused, 'the targeted pause');
  });

  it('obeys only allowed identities, and lets the page refuse a command', async () => {
    const name = uniqueRoom('allow');
    const { player, video, peerId } = await mountPlayer(name);
    player.allow = 'boss';
    const intruder = await cleanup.join(testServer.wsUrl, name, 'intruder');
    const boss = await cleanup.join(testServer.wsUrl, name, 'boss');
    await until(() => player.room!.peers.size === 2, 'both peers seen by the player');
    await intruder.send('control', { action: 'pause' }, { to: peerId });
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.isFalse(video.paused);
    player.addEventListener('sb-control', (event) => {
      if (event.detail.command.action === 'rate') event.preventDefault();
    });
    await boss.send('control', { action: 'rate', value: 2 }, { to: peerId });
    await boss.send('control', { action: 'pause' }, { to: peerId });
    await until(() => video.paused, 'the boss pause');
    assert.equal(video.playbackRate, 1);
  });

  it('waits for the player, and says so when the target is not in the room', async () => {
    const name = uniqueRoom('absent');
    const control = await mountControl(name, 'controller', 'no-such-peer');
    await control.updateComplete;
    const p = parts(control);
    assert.equal(p.status.textContent, 'Waiting for the player…');
    assert.equal(p.status.getAttribute('role'), 'status');
    assert.isTrue(p.play.disabled);
    assert.isFalse(await control.pause());
    await control.updateComplete;
    assert.equal(p.error.getAttribute('role'), 'alert');
    assert.equal(p.error.textContent, 'The player is not in the room.');
  });

  it('with direct on both ends, sends commands over a direct channel and shows the path', async () => {
    const name = uniqueRoom('remote-direct');
    const grants = 'sendData,receiveData,direct';
    const element = await cleanup.mountRoom(
      testServer.wsUrl,
      name,
      'player',
      `<sb-controlled-player><video muted autoplay src="${url}"></video></sb-controlled-player>`,
      grants,
    );
    const video = element.querySelector('video')!;
    video.muted = true;
    await video.play();
    await until(() => !video.paused && video.duration > 5, 'the tone to play', 10_000);
    const controlRoom = await cleanup.mountRoom(testServer.wsUrl, name, 'controller', `<sb-remote-control direct target="${element.room!.peerId}"></sb-remote-control>`, grants);
    const control = controlRoom.querySelector('sb-remote-control')!;
    const pathOf = (): string | undefined => control.shadowRoot!.querySelector<HTMLElement>('[part="path"]')?.dataset.path;
    await until(() => pathOf() === 'direct', 'the direct path', 10_000);
    assert.equal(control.shadowRoot!.querySelector('[part="path"]')!.textContent, 'Direct');
    // Nothing of the command may go through the room: the player's room sees no control message.
    let viaRoom = 0;
    element.room!.on('message:control', () => (viaRoom += 1));
    assert.isTrue(await control.pause());
    await until(() => video.paused && control.state?.paused === true, 'the player to pause');
    assert.equal(viaRoom, 0);
  });

  it('without the direct grant, falls back to room messages', async () => {
    const name = uniqueRoom('remote-nodirect');
    const { video, peerId } = await mountPlayer(name);
    const controlRoom = await cleanup.mountRoom(testServer.wsUrl, name, 'controller', `<sb-remote-control direct target="${peerId}"></sb-remote-control>`);
    const control = controlRoom.querySelector('sb-remote-control')!;
    await until(() => control.state !== undefined, 'the first report');
    await control.updateComplete;
    assert.equal(control.shadowRoot!.querySelector('[part="path"]')!.textContent, 'Via server');
    assert.isTrue(await control.pause());
    await until(() => video.paused, 'the player to pause');
  });
});
