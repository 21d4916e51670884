// `npm run bench:codec`: the project's MessagePack codec against msgpackr (the library it
// replaced, kept as a development dependency for this comparison and for the codec's tests),
// on the frames that cross the wire most: the outgoing envelope a peer sends per message (the
// server decodes it), the delivered header the server encodes per message, a chat payload
// (the SDK encodes and a receiver decodes it), a signaling frame listing peers, a 4 KiB text
// and 16 KiB of bytes. Both codecs run in the same process, alternated in passes, so every row
// sees the same machine; ns per value, medians of the passes. SWITCHBOARD_BENCH_PASSES (default 7).
import { Packr, type Options } from 'msgpackr';
import { decode, encode } from '../../packages/sdk/src/protocol/index.js';
import { fmt, printTable } from '../support/stats.js';

const PASSES = Number(process.env.SWITCHBOARD_BENCH_PASSES ?? 7);
// msgpackr as the SDK configured it until it was replaced: plain maps, `undefined` fields left out.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true, skipValues: [undefined] } as Options);

const payload = new Uint8Array(200).fill(7);
const frames: Record<string, unknown> = {
  'outgoing envelope (200-byte payload)': { k: 0, s: 1234, t: 'chat', to: 'p-8c2d1f0a', d: payload },
  'delivered header': { k: 0, s: 1234, f: 'p-8c2d1f0a', ts: 1_765_000_000_123.5, t: 'chat', p: true },
  'chat payload': { text: 'message 42 '.padEnd(120, 'lorem ipsum '), at: 1_765_000_000_000, author: { name: 'Alice', color: '#3366ff' } },
  'chat payload, non-ASCII text': { text: 'Grüße aus Köln, 你好, 👋 '.repeat(4), at: 1_765_000_000_000, author: { name: 'Zoë', color: '#3366ff' } },
  'peer list of 20': {
    type: 'event',
    event: 'peers',
    data: Array.from({ length: 20 }, (_, i) => ({ id: `p-${i.toString(16).padStart(8, '0')}`, name: `Viewer ${i}`, identity: `user-${i}`, metadata: { role: 'viewer' }, tracks: [] })),
  },
  '4 KiB of text': { text: 'x'.repeat(4096) },
  '16 KiB of bytes': { d: new Uint8Array(16 * 1024) },
};

/** ns per call of `run`, timed over enough iterations to take about 100 ms. */
function time(run: () => void): number {
  let iterations = 1000;
  for (;;) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) run();
    const elapsed = Number(process.hrtime.bigint() - started);
    if (elapsed > 100e6) return elapsed / iterations;
    iterations *= 4;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const rows: string[][] = [];
for (const [name, value] of Object.entries(frames)) {
  const ours = encode(value);
  const theirs = packr.pack(value);
  const times = { encode: [] as number[], packr: [] as number[], decode: [] as number[], unpack: [] as number[] };
  for (let pass = 0; pass < PASSES; pass++) {
    times.encode.push(time(() => encode(value)));
    times.packr.push(time(() => packr.pack(value)));
    times.decode.push(time(() => decode(ours)));
    times.unpack.push(time(() => packr.unpack(theirs)));
  }
  const [e, p, d, u] = [median(times.encode), median(times.packr), median(times.decode), median(times.unpack)];
  rows.push([name, `${ours.byteLength}`, fmt(e, 0), fmt(p, 0), `${(e / p).toFixed(2)}×`, fmt(d, 0), fmt(u, 0), `${(d / u).toFixed(2)}×`]);
}
printTable(
  `MessagePack codec against msgpackr ${PASSES} alternated passes, ns per value (medians)`,
  ['frame', 'bytes', 'encode', 'msgpackr pack', 'ratio', 'decode', 'msgpackr unpack', 'ratio'],
  rows,
);
