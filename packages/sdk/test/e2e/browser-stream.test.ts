import assert from 'node:assert/strict';
import { BrowserHarness, joinFromPage, type BrowserName } from './browser-harness.js';

const FILE_BYTES = 20 * 1024 * 1024;

// Page helpers as plain script text: functions written inside page.evaluate get tsx's __name
// wrappers, which the page does not define.
const HELPERS = `
window.sha256 = async (data) => Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', data)), (b) => b.toString(16).padStart(2, '0')).join('');
window.randomFile = (size, name) => {
  const bytes = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += 65536) crypto.getRandomValues(bytes.subarray(offset, offset + 65536));
  return new File([bytes], name, { type: 'application/octet-stream' });
};
window.receiveOne = () => {
  window.received = new Promise((resolve, reject) => {
    window.room.once('stream', (stream) => {
      let progress = 0;
      stream.on('progress', () => (progress += 1));
      stream.bytes().then(async (bytes) => {
        resolve({ name: stream.name, mime: stream.mime, size: stream.size, length: bytes.byteLength, progress, hash: await window.sha256(bytes) });
      }, (error) => reject(new Error(error.code + ': ' + error.message)));
    });
  });
};
window.sendFile = async (to, size) => {
  const file = window.randomFile(size, 'big.bin');
  const hash = await window.sha256(await file.arrayBuffer());
  const handle = window.room.sendStream('file', file, { to });
  let progress = 0;
  handle.on('progress', () => (progress += 1));
  await handle.done;
  return { hash, progress, sent: handle.bytesSent };
};`;

type Received = { name: string; mime: string; size: number; length: number; progress: number; hash: string };
type Helpers = { receiveOne: () => void; received: Promise<Received>; sendFile: (to: string, size: number) => Promise<{ hash: string; progress: number; sent: number }> };

describe('browser end to end: a 20 MB file streamed between two browsers', function () {
  this.timeout(180000);
  let harness: BrowserHarness;

  before(async function () {
    this.timeout(60000);
    // A room that carries 20 MB files keeps a replay log larger than one (docs/sdk.md, streams):
    // a receiver that falls behind resumes from where it went live.
    harness = await BrowserHarness.start(['--replay-buffer-bytes', String(64 * 1024 * 1024)]);
  });
  after(() => harness.close());

  const PAIRS: [BrowserName, BrowserName][] = [
    ['chromium', 'chromium'],
    ['firefox', 'chromium'],
  ];
  for (const [senderBrowser, receiverBrowser] of PAIRS) {
    it(`arrives whole (SHA-256 equal), with its name, type and size, and progress on both sides (${senderBrowser} to ${receiverBrowser})`, async () => {
      const sender = await harness.page(senderBrowser);
      const receiver = await harness.page(receiverBrowser);
      for (const { page } of [sender, receiver]) await page.addScriptTag({ content: HELPERS });
      const room = `files-${senderBrowser}-${receiverBrowser}`;
      await joinFromPage(sender.page, room, 'sender');
      const receiverId = await joinFromPage(receiver.page, room, 'receiver');
      await receiver.page.evaluate(() => (window as unknown as Helpers).receiveOne());
      const sent = await sender.page.evaluate(({ to, size }) => (window as unknown as Helpers).sendFile(to, size), { to: receiverId, size: FILE_BYTES });
      const received = await receiver.page.evaluate(() => (window as unknown as Helpers).received);
      assert.equal(received.hash, sent.hash, 'SHA-256 of what arrived equals that of the file');
      assert.deepEqual(
        { name: received.name, mime: received.mime, size: received.size, length: received.length },
        { name: 'big.bin', mime: 'application/octet-stream', size: FILE_BYTES, length: FILE_BYTES },
      );
      assert.equal(sent.sent, FILE_BYTES);
      assert.ok(sent.progress >= 300 && received.progress >= 300, `progress per chunk (${sent.progress} sent, ${received.progress} received)`);
      assert.deepEqual([...sender.errors, ...receiver.errors], []);
    });
  }
});
