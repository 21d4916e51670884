// `npm run bench:e2ee`: the CPU that end-to-end encryption costs, per message and per video
// frame, encrypting and decrypting, one after the other as the SDK's ordered pipeline does.
// WebCrypto of Node (OpenSSL's AES-GCM, as Chromium's BoringSSL); no server, no network.
// See docs/benchmarks.md ("End-to-end encryption").
import { cpus, loadavg } from 'node:os';
import { DataEncryption } from '../../packages/sdk/src/e2ee/data-encryption.js';
import { clearBytes, openFrame, sealFrame } from '../../packages/sdk/src/e2ee/frame-cipher.js';
import { ExternalKeyProvider } from '../../packages/sdk/src/e2ee/key-provider.js';
import { decodeDelivered, encode, encodeDelivered, EnvelopeKind } from '../../packages/sdk/src/protocol/index.js';
import { fmt, printTable } from '../support/stats.js';

// Long enough for a stable mean, short enough to run in a few seconds.
const MESSAGES = Number(process.env.SWITCHBOARD_BENCH_MESSAGES ?? 20_000);
const FRAMES = Number(process.env.SWITCHBOARD_BENCH_FRAMES ?? 3_000);

interface Cost {
  sealMicros: number;
  openMicros: number;
}

async function main(): Promise<void> {
  const keys = new ExternalKeyProvider();
  await keys.setKey(new Uint8Array(32).fill(1), { keyId: 1 });
  const encryption = new DataEncryption(keys);
  encryption.identity = 'alice';

  const rows: string[][] = [];
  for (const bytes of [200, 4096, 60_000]) {
    const cost = await messageCost(encryption, bytes, Math.max(500, Math.floor((MESSAGES * 200) / bytes)));
    rows.push([`message, ${bytes}-byte binary payload`, fmt(cost.sealMicros, 1), fmt(cost.openMicros, 1)]);
  }
  // A 640×480 VP8 stream at ~1 Mbit/s, 30 fps: ~4 KB per delta frame, keyframes tens of KB.
  for (const [label, bytes, type] of [
    ['video frame, 1.2 KB delta (simulcast 320×180)', 1200, 'delta'],
    ['video frame, 4 KB delta (640×480)', 4096, 'delta'],
    ['video frame, 40 KB keyframe', 40_000, 'key'],
    ['audio frame, 120 B Opus', 120, undefined],
  ] as const) {
    const cost = await frameCost(keys, bytes, type, FRAMES);
    rows.push([label, fmt(cost.sealMicros, 1), fmt(cost.openMicros, 1)]);
  }
  printTable(
    `End-to-end encryption, CPU per item (AES-256-GCM via WebCrypto, Node ${process.version}, ${cpus()[0]?.model ?? 'CPU'}, load ${fmt(loadavg()[0]!, 1)})`,
    ['Item', 'Encrypt µs CPU', 'Decrypt µs CPU'],
    rows,
  );
}

async function messageCost(encryption: DataEncryption, bytes: number, count: number): Promise<Cost> {
  const envelope = { kind: EnvelopeKind.message, type: 'bench', data: encode(new Uint8Array(bytes).fill(7)) };
  const sealed = await encryption.seal(envelope)!.sealed;
  const delivered = decodeDelivered(encodeDelivered({ kind: envelope.kind, seq: 1, from: 'p', serverTime: 0, type: 'bench', targeted: false, data: sealed }));
  const sealMicros = await cpuMicrosEach(count, () => encryption.seal(envelope)!.sealed);
  const openMicros = await cpuMicrosEach(count, () => encryption.open(delivered, 'alice'));
  return { sealMicros, openMicros };
}

async function frameCost(keys: ExternalKeyProvider, bytes: number, type: 'key' | 'delta' | undefined, count: number): Promise<Cost> {
  const codec = type === undefined ? 'opus' : 'vp8';
  const frame = { data: new Uint8Array(bytes).fill(3).buffer, ...(type === undefined ? {} : { type }) };
  const clear = clearBytes(codec, frame);
  const key = keys.encryptionKey('alice')!;
  const sealed = await sealFrame(frame.data, clear, key);
  const sealMicros = await cpuMicrosEach(count, () => sealFrame(frame.data, clear, key));
  const openMicros = await cpuMicrosEach(count, () => openFrame(sealed, clear, keys, 'alice'));
  return { sealMicros, openMicros };
}

// User + system CPU of this process per call, the calls awaited one by one (after a warm-up).
async function cpuMicrosEach(count: number, call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(200, count); i++) await call();
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) await call();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / count;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
