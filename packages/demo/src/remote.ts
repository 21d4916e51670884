import type { SbRemoteControl } from '@switchboard/sdk/elements';
import { element, followPeer, join, param, randomId } from './common.js';

const code = param('code').replace(/\D/g, '');
const form = element<HTMLFormElement>('pair');
const control = element<SbRemoteControl>('remote');
const status = element('status');
// How commands reach the screen: relayed by the server (the only path there is so far).
const path = element('path');

if (code.length !== 6) {
  // Nothing to control yet: the pairing form instead of a panel of dead buttons.
  form.hidden = false;
  status.textContent = 'Enter the 6-digit code shown on the screen.';
} else {
  element('code').textContent = code;
  control.hidden = false;
  status.textContent = 'Connecting…';
  const room = await join(`pair-${code}`, randomId('remote'), ['sendData', 'receiveData'], 'Remote');
  followPeer(room, 'screen', (peerId) => {
    if (peerId) control.setAttribute('target', peerId);
    else control.removeAttribute('target');
    status.textContent = peerId ? 'Paired with the screen.' : `No screen shows the code ${code} (yet). Check the code on the screen.`;
    form.hidden = peerId !== undefined;
    path.hidden = peerId === undefined;
  });
}
