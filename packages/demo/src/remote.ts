import type { SbRemoteControl } from '@switchboard/sdk/elements';
import { element, followPeer, join, param, randomId } from './common.js';

const code = param('code').replace(/\D/g, '');
const form = element<HTMLFormElement>('pair');
const control = element<SbRemoteControl>('remote');
const status = element('status');

if (code.length !== 6) {
  form.hidden = false;
  status.textContent = 'Enter the 6-digit code shown on the screen.';
} else {
  element('code').textContent = code;
  status.textContent = 'Connecting…';
  const room = await join(`pair-${code}`, randomId('remote'), ['sendData', 'receiveData', 'direct'], 'Remote');
  followPeer(room, 'screen', (peerId) => {
    if (peerId) control.setAttribute('target', peerId);
    else control.removeAttribute('target');
    status.textContent = peerId ? 'Paired with the screen.' : 'No screen with this code (yet).';
  });
}
