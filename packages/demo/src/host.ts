import type { SbPublisher, SbVideo } from '@switchboard/sdk/elements';
import { element, join, param, showViewerCount } from './common.js';

const roomName = param('room', 'demo');
element('room-name').textContent = roomName;
element<HTMLAnchorElement>('watch-link').href = `watch.html?room=${encodeURIComponent(roomName)}`;

const publisher = element<SbPublisher>('publisher');
const selfView = element<SbVideo>('self-view');
const live = element('live');
publisher.addEventListener('sb-published', (event) => {
  if (event.detail.source === 'camera') selfView.track = event.detail.track;
  live.hidden = !publisher.isOn('camera');
});
publisher.addEventListener('sb-unpublished', (event) => {
  if (event.detail.source === 'camera') selfView.track = undefined;
  live.hidden = !publisher.isOn('camera');
});

const room = await join(roomName, 'host', ['publish', 'subscribe', 'sendData', 'receiveData'], 'Host');
showViewerCount(room, false, element('viewer-count'));
await publisher.start('camera');
await publisher.start('microphone');
