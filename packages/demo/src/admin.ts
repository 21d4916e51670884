import { element, join, param, randomId } from './common.js';

const form = element<HTMLFormElement>('announce');
const roomField = element<HTMLInputElement>('room-field');
const status = element('result');
roomField.value = param('room', 'demo');

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const secret = element<HTMLInputElement>('secret').value;
  const text = element<HTMLInputElement>('text').value.trim();
  if (!text) return;
  status.textContent = 'Sending…';
  delete status.dataset.state;
  fetch(`/api/rooms/${encodeURIComponent(roomField.value)}/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${secret}` },
    body: JSON.stringify({ type: 'announcement', data: { text } }),
  })
    .then(async (response) => {
      status.dataset.state = response.ok ? 'ok' : 'error';
      if (response.ok) status.textContent = `Announced to ${roomField.value}.`;
      else {
        const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        status.textContent = `Refused (${response.status}): ${body?.error?.message ?? response.statusText}`;
      }
    })
    .catch((error: Error) => {
      status.dataset.state = 'error';
      status.textContent = `Failed: ${error.message}`;
    });
});

// The admin listens too, so it sees its own announcements as the viewers do.
void join(roomField.value, randomId('admin'), ['receiveData']);
