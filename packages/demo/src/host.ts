import type { SbPublisher, SbVideo } from '@switchboard/sdk/elements';
import { element, join, param } from './common.js';

const roomName = param('room', 'demo');
element('room-name').textContent = roomName;
element<HTMLAnchorElement>('watch-link').href = `watch.html?room=${encodeURIComponent(roomName)}`;

const publisher = element<SbPublisher>('publisher');
const selfView = element<SbVideo>('self-view');
publisher.addEventListener('sb-published', (event) => {
  if (event.detail.source === 'camera') selfView.track = event.detail.track;
});
publisher.addEventListener('sb-unpublished', (event) => {
  if (event.detail.source === 'camera') selfView.track = undefined;
});

const room = await join(roomName, 'host', ['publish', 'subscribe', 'sendData', 'receiveData'], 'Host');
const viewers = element('viewers');
const count = (): void => {
  viewers.textContent = String(room.peers.size);
};
count();
room.on('peerJoined', count);
room.on('peerLeft', count);
await publisher.start('camera');
await publisher.start('microphone');
