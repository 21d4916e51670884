import type { SbControlledPlayer } from '@switchboard/sdk/elements';
import { element, join } from './common.js';

const code = String(Math.floor(100000 + Math.random() * 900000));
element('code').textContent = code;
const remoteUrl = new URL(`remote.html?code=${code}`, location.href).href;
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
media.src = generateClip();
const clock = element('clock');
const progress = element<HTMLProgressElement>('progress');
const render = (): void => {
  const t = Math.floor(media.currentTime);
  clock.textContent = `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`;
  progress.max = media.duration || 1;
  progress.value = media.currentTime;
  clock.dataset.paused = String(media.paused);
};
for (const type of ['timeupdate', 'play', 'pause', 'seeked', 'loadedmetadata']) media.addEventListener(type, render);
player.addEventListener('sb-control', (event) => {
  element('last-command').textContent = `Last command: ${event.detail.command.action}`;
});

const room = await join(`pair-${code}`, 'screen', ['sendData', 'receiveData', 'direct'], 'Screen');
const paired = element('paired');
const update = (): void => {
  paired.textContent = room.peers.size > 0 ? `${room.peers.size} remote(s) connected` : 'Waiting for a remote…';
};
update();
room.on('peerJoined', update);
room.on('peerLeft', update);
