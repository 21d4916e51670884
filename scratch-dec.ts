import { Packr, Unpackr, type Options } from 'msgpackr';
import { encode, encodeDelivered, decodeDelivered, EnvelopeKind } from './packages/sdk/src/protocol/index.js';
const N = 20000;
function chatPayload(i: number): unknown {
  return { text: `message ${i} `.padEnd(120, 'lorem ipsum '), at: 1_700_000_000_000 + i, author: { name: 'Alice', color: '#3366ff' } };
}
const env = Array.from({ length: N }, (_, i) => new Uint8Array(encodeDelivered({ kind: EnvelopeKind.message, seq: i + 1, from: 'peer-alice', serverTime: Date.now(), type: 'chat', targeted: false, data: encode(chatPayload(i)) })));
const json = Array.from({ length: N }, (_, i) => JSON.stringify({ seq: i + 1, from: 'peer-alice', serverTime: Date.now(), type: 'chat', targeted: false, data: chatPayload(i) }));
const p1 = new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true } as Options);
const p2 = new Unpackr({ useRecords: false, mapsAsObjects: true } as Options);
function time(name: string, f: () => void) {
  const r: number[] = [];
  for (let k = 0; k < 9; k++) { const t = performance.now(); f(); r.push((performance.now() - t) * 1000 / N); }
  r.sort((a, b) => a - b); console.log(name.padEnd(30), r[4]!.toFixed(3));
}
let sink: unknown;
for (let round = 0; round < 2; round++) {
time('json', () => { for (const j of json) sink = JSON.parse(j); });
time('packr.unpack', () => { for (const e of env) sink = p1.unpack(e); });
time('unpackr.unpack', () => { for (const e of env) sink = p2.unpack(e); });
time('decodeDelivered', () => { for (const e of env) sink = decodeDelivered(e); });
}
void sink;
