import { connect, type RemoteTrack, type Room } from '@switchboard/sdk';
import type { SbControlledPlayer } from '@switchboard/sdk/elements';
import { devToken, element, join, pairingKey, param, plural, randomId, VIEWER_PREFIX } from './common.js';

const code = String(Math.floor(100000 + Math.random() * 900000));
element('code').textContent = code;
// With `?e2ee=1` the remote's commands and this screen's reports are end-to-end encrypted: the
// key travels to the remote in its link's #fragment, so the server relays what it cannot read.
const encryption = param('e2ee') === '1' ? await pairingKey() : undefined;
const e2eeToggle = element<HTMLInputElement>('e2ee');
e2eeToggle.checked = encryption !== undefined;
e2eeToggle.addEventListener('change', () => {
  const next = new URL(location.href);
  next.searchParams.set('e2ee', e2eeToggle.checked ? '1' : '0');
  location.assign(next);
});
const remoteUrl = new URL(`remote.html?code=${code}${encryption === undefined ? '' : `#key=${encryption.fragment}`}`, location.href).href;
element<HTMLAnchorElement>('remote-link').href = remoteUrl;
element('remote-link').textContent = remoteUrl;

/** A seekable 60 s WAV clip (a rising tone per second), generated so the demo needs no media file. */
function generateClip(seconds = 60, rate = 8000): string {
  const samples = seconds * rate;
  const buffer = new ArrayBuffer(44 + samples * 2);
  const view = new DataView(buffer);
  const ascii = (offset: number, text: string): void => {
    for (let i = 0; i < text.length; i++) view.setUint8(offset + i, text.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + samples * 2, true);
  ascii(8, 'WAVEfmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, samples * 2, true);
  for (let i = 0; i < samples; i++) {
    const second = Math.floor(i / rate);
    const beep = i % rate < rate / 10; // a short beep at the start of each second
    const frequency = 440 + (second % 12) * 40;
    const value = beep ? Math.sin((2 * Math.PI * frequency * i) / rate) * 0.3 : 0;
    view.setInt16(44 + i * 2, value * 0x7fff, true);
  }
  return URL.createObjectURL(new Blob([buffer], { type: 'audio/wav' }));
}

const player = element<SbControlledPlayer>('player');
const media = element<HTMLVideoElement>('clip');
const clipUrl = generateClip();
media.src = clipUrl;
media.classList.add('audio-only');

const sourceSelect = element<HTMLSelectElement>('source');
// The live room's stream, while it is the source.
let live: LiveSource | undefined;
const clock = element('clock');
const clipView = element('clip-view');
const waiting = element('waiting');
const lastCommand = element('last-command');
const progress = element<HTMLProgressElement>('progress');
const mutedHint = element('muted-hint');
const render = (): void => {
  // The live room without its host: say so, instead of a black box and a clock stuck at 0:00.
  const hostAway = live !== undefined && !live.showing;
  waiting.hidden = !hostAway;
  clipView.hidden = hostAway;
  media.classList.toggle('audio-only', sourceSelect.value === 'clip' || hostAway);
  const t = Math.floor(media.currentTime);
  // A live stream has no position worth a clock: it says whether it plays.
  if (live !== undefined) clock.textContent = media.paused ? 'Paused' : 'Live';
  else clock.textContent = `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`;
  const seekable = Number.isFinite(media.duration) && media.duration > 0;
  progress.hidden = !seekable;
  if (seekable) {
    progress.max = media.duration;
    progress.value = media.currentTime;
  }
  clock.dataset.paused = String(media.paused);
  mutedHint.hidden = !media.muted;
};
// The clock follows every frame while playing: timeupdate alone comes only every 250 ms or so.
const tick = (): void => {
  render();
  if (!media.paused) requestAnimationFrame(tick);
};
media.addEventListener('play', () => requestAnimationFrame(tick));
// timeupdate too: a hidden page gets no animation frames.
for (const type of ['pause', 'seeked', 'timeupdate', 'loadedmetadata', 'durationchange', 'volumechange', 'emptied']) media.addEventListener(type, render);
element('unmute').addEventListener('click', () => {
  media.muted = false;
});
player.addEventListener('sb-control', (event) => {
  const { action, value } = event.detail.command;
  lastCommand.textContent = `Last command from the remote: ${action}${value === undefined ? '' : ` ${Math.round(value * 100) / 100}`}`;
});

/**
 * The room's live stream as the player's source: the host's camera plays in the controlled
 * `<video>`, its microphone in an `<audio>` that follows the video's volume, mute and pause. The
 * remote's commands are then local to this screen: the host and the other viewers are unaffected.
 */
class LiveSource {
  private readonly audio = new Audio();
  private readonly attached = new Set<RemoteTrack>();
  private readonly follow = (): void => {
    this.audio.volume = media.volume;
    this.audio.muted = media.muted;
    if (media.paused) this.audio.pause();
    else this.audio.play().catch(() => undefined);
  };

  private constructor(private readonly room: Room) {
    for (const type of ['play', 'pause', 'volumechange']) media.addEventListener(type, this.follow);
    room.on('trackPublished', () => this.attachHost());
    for (const type of ['trackUnpublished', 'peerLeft'] as const) room.on(type, () => this.dropGone());
    this.attachHost();
  }

  /** True while the host's camera plays here. */
  get showing(): boolean {
    return [...this.attached].some((track) => track.kind === 'video');
  }

  static async open(roomName: string): Promise<LiveSource> {
    // A screen showing the live room watches it: it is a viewer (and counted as one).
    const token = await devToken(roomName, randomId(`${VIEWER_PREFIX}screen`), ['subscribe', 'receiveData'], 'Screen');
    return new LiveSource(await connect(location.origin.replace(/^http/, 'ws'), token));
  }

  private attachHost(): void {
    for (const track of this.room.tracks.values()) {
      if (this.attached.has(track) || this.room.peers.get(track.peerId)?.identity !== 'host') continue;
      this.attached.add(track);
      if (track.kind === 'video') track.attach(media);
      else track.attach(this.audio);
    }
    this.follow();
    render();
  }

  // The host left or stopped publishing: let go of its tracks and stop, so that the remote shows
  // the screen paused and the last command, meant for the stream that ended, goes too.
  private dropGone(): void {
    const current = new Set(this.room.tracks.values());
    const gone = [...this.attached].filter((track) => !current.has(track));
    if (gone.length === 0) return;
    for (const track of gone) {
      track.detach();
      this.attached.delete(track);
    }
    if (!this.showing) {
      media.srcObject = null;
      media.pause();
      lastCommand.textContent = '';
    }
    render();
  }

  close(): void {
    for (const type of ['play', 'pause', 'volumechange']) media.removeEventListener(type, this.follow);
    for (const track of this.attached) track.detach();
    this.audio.pause();
    void this.room.leave();
  }
}

const liveRoomField = element<HTMLInputElement>('live-room');
liveRoomField.value = param('room', 'demo');
sourceSelect.value = param('source') === 'live' ? 'live' : 'clip';
// Each switch waits for the previous one, so that two quick changes cannot leave two sources.
let switching = Promise.resolve();
const useSource = (): void => {
  switching = switching.then(async () => {
    live?.close();
    live = undefined;
    media.srcObject = null;
    if (sourceSelect.value === 'live') {
      media.removeAttribute('src');
      media.load();
      live = await LiveSource.open(liveRoomField.value.trim() || 'demo');
    } else {
      media.src = clipUrl;
    }
    lastCommand.textContent = '';
    // The clip is sound only: no black box where its picture would be (render() hides it).
    render();
  });
  switching.catch((error: Error) => {
    lastCommand.textContent = `Could not open the live room: ${error.message}`;
  });
};
sourceSelect.addEventListener('change', useSource);
liveRoomField.addEventListener('change', () => {
  if (sourceSelect.value === 'live') useSource();
});
element('source-form').addEventListener('submit', (event) => event.preventDefault());
addEventListener('pagehide', () => live?.close());
if (sourceSelect.value === 'live') useSource();

const room = await join(`pair-${code}`, 'screen', ['sendData', 'receiveData', 'direct'], 'Screen', encryption && { e2ee: { keyProvider: encryption.keys } });
const paired = element('paired');
const pairing = element('pairing');
const update = (): void => {
  paired.textContent = room.peers.size > 0 ? `${plural(room.peers.size, 'remote')} connected` : 'Waiting for a remote…';
  // Once paired, the pairing card shrinks to a line, leaving the screen to the player.
  pairing.toggleAttribute('data-paired', room.peers.size > 0);
};
update();
room.on('peerJoined', update);
room.on('peerLeft', update);
