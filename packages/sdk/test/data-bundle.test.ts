import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const SDK_DIR = fileURLToPath(new URL('..', import.meta.url));
// 32.9 kB at wave 2's end: msgpackr is about a third of it, direct channels and streams (which the
// room must be able to receive whether or not the page sends any) another quarter. The last
// 1.9 kB bought speed: a hand-written reader of delivered headers (the receive path, 18–29 %
// faster) and binary direct-channel frames (direct latency within 1.1× a raw channel). End-to-end
// encryption added 2.2 kB (33.1 → 35.3 kB): a data page may encrypt, so its sealing, ordering
// and direct-channel cipher are in every data bundle (the key provider and media are not).
const LIMIT_BYTES = 36_000;

/** A page's bundle that imports `specifier` for connect + send + on, minified as for production. */
async function bundle(specifier: string): Promise<{ gzipBytes: number; inputs: string[] }> {
  const result = await build({
    stdin: {
      contents: `import { connect } from '${specifier}';
        const room = await connect('wss://rtc.example.com', 'token');
        room.on('message', (message) => console.log(message.data));
        await room.send('chat', { text: 'hello' });`,
      resolveDir: SDK_DIR,
      loader: 'ts',
    },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return { gzipBytes: gzipSync(code).byteLength, inputs: Object.keys(result.metafile.inputs) };
}

describe('bundle size of a data-only page', function () {
  this.timeout(30000);

  it(`@switchboard/sdk/data: connect + send + on is at most ${LIMIT_BYTES} bytes gzipped, without mediasoup-client or media code`, async () => {
    const { gzipBytes, inputs } = await bundle('@switchboard/sdk/data');
    assert.ok(gzipBytes <= LIMIT_BYTES, `${gzipBytes} bytes gzipped`);
    assert.deepEqual(inputs.filter((input) => /mediasoup-client|sdp-transform|src\/track\/(?!no-media|track-errors|room-media)/.test(input)), []);
    // The full SDK, for scale: the data entry point is what makes the difference.
    const full = await bundle('@switchboard/sdk');
    assert.ok(full.gzipBytes > 2 * gzipBytes, `full SDK ${full.gzipBytes} bytes, data-only ${gzipBytes}`);
  });
});
