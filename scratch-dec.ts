import { encode, encodeDelivered, decodeDelivered, EnvelopeKind } from './packages/sdk/src/protocol/index.js';
import { Receiver } from './packages/sdk/src/data-channel/receiver.js';
import { receivedMessage } from './packages/sdk/src/data-channel/received-message.js';
import { Emitter } from './packages/sdk/src/events.js';
const N = 20000;
function chatPayload(i: number): unknown {
  return { text: `message ${i} `.padEnd(120, 'lorem ipsum '), at: 1_700_000_000_000 + i, author: { name: 'Alice', color: '#3366ff' } };
}
const env = Array.from({ length: N }, (_, i) => new Uint8Array(encodeDelivered({ kind: EnvelopeKind.message, seq: i + 1, from: 'peer-alice', serverTime: Date.now(), type: 'chat', targeted: false, data: encode(chatPayload(i)) })).buffer);
const json = Array.from({ length: N }, (_, i) => JSON.stringify({ seq: i + 1, from: 'peer-alice', serverTime: Date.now(), type: 'chat', targeted: false, data: chatPayload(i) }));
function time(name: string, f: () => void) {
  const r: number[] = [];
  for (let k = 0; k < 25; k++) { const t = performance.now(); f(); r.push((performance.now() - t) * 1000 / N); }
  r.sort((a, b) => a - b); console.log(name.padEnd(30), r[1]!.toFixed(3));
}
let sink: unknown;
for (let round = 0; round < 2; round++) {
time('json', () => { for (const j of json) sink = JSON.parse(j); });
time('decodeDelivered', () => { for (const e of env) sink = decodeDelivered(new Uint8Array(e)); });
time('acceptAll', () => { const r = new Receiver(); for (const e of env) sink = r.acceptAll(e); });
time('acceptAll+message', () => { const r = new Receiver(); for (const e of env) for (const d of r.acceptAll(e)) sink = receivedMessage(d); });
time('full', () => { const r = new Receiver(); const ev = new Emitter<Record<string, unknown>>(); ev.on('message', (m) => { sink = m; }); for (const e of env) for (const d of r.acceptAll(e)) { const m = receivedMessage(d); ev.emit('message', m); ev.emit(`message:${d.type}`, m); } });
}
void sink;
