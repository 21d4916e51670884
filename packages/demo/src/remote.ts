import type { SbPathDetail, SbRemoteControl } from '@switchboard/sdk/elements';
import { element, followPeer, join, pairingKey, param, randomId } from './common.js';

const code = param('code').replace(/\D/g, '');
const form = element<HTMLFormElement>('pair');
const control = element<SbRemoteControl>('remote');
const status = element('status');
// How commands reach the screen: a direct peer-to-peer channel when both ends may open one,
// else (or while it connects, or after it drops) relayed by the server.
const path = element('path');
const PATH_TEXT = { direct: 'Direct', relay: 'Via the server', connecting: 'Connecting directly…', closed: 'Via the server' } as const;
control.addEventListener('sb-path', (event) => {
  const shown = (event as CustomEvent<SbPathDetail>).detail.path ?? 'relay';
  path.dataset.path = shown === 'direct' ? 'direct' : 'server';
  path.textContent = PATH_TEXT[shown];
});

if (code.length !== 6) {
  // Nothing to control yet: the pairing form instead of a panel of dead buttons.
  form.hidden = false;
  status.textContent = 'Enter the 6-digit code shown on the screen.';
} else {
  element('code').textContent = code;
  control.hidden = false;
  status.textContent = 'Connecting…';
  // A link from an encrypting screen carries the key in its #fragment (see screen.ts).
  const fragment = new URLSearchParams(location.hash.slice(1)).get('key') ?? undefined;
  const encryption = fragment === undefined ? undefined : await pairingKey(fragment);
  const room = await join(`pair-${code}`, randomId('remote'), ['sendData', 'receiveData', 'direct'], 'Remote', encryption && { e2ee: { keyProvider: encryption.keys } });
  // Whether the screen was here: once it goes (closed or reloaded, and a reloaded screen shows a
  // new code), this code is done with, and the remote says so and offers to pair again.
  let seen = false;
  followPeer(room, 'screen', (peerId) => {
    if (peerId) control.setAttribute('target', peerId);
    else control.removeAttribute('target');
    const gone = seen && peerId === undefined;
    seen ||= peerId !== undefined;
    status.textContent = peerId
      ? `Paired with the screen${encryption ? ', end-to-end encrypted' : ''}.`
      : gone
        ? 'The screen went away (closed or reloaded). Enter the code it shows now to pair again.'
        : `No screen shows the code ${code} (yet). Check the code on the screen.`;
    form.hidden = peerId !== undefined;
    control.hidden = gone;
    path.hidden = peerId === undefined;
  });
}
