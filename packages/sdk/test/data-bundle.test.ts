import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const SDK_DIR = fileURLToPath(new URL('..', import.meta.url));
// 32.9 kB at wave 2's end: msgpackr is about a third of it, direct channels and streams (which the
// room must be able to receive whether or not the page sends any) another quarter. The last
// 1.9 kB bought speed: a hand-written reader of delivered headers (the receive path, 18–29 %
// faster) and binary direct-channel frames (direct latency within 1.1× a raw channel). 1.1 kB
// more tell why a WebSocket could not be opened (ConnectionError, 34.0 kB). End-to-end
// encryption added 2.2 kB: a data page may encrypt, so its sealing, ordering and direct-channel
// cipher are in every data bundle (the key provider and media are not). Wave 3: 25.3 kB, with
// the project's own MessagePack codec instead of msgpackr (−10 kB) and direct channels loaded
// on first use (−4.6 kB; their 4.8 kB chunk is not counted).
const LIMIT_BYTES = 27_000;

// A chat page from the data-only elements: the data-only SDK (with end-to-end encryption's
// sealing, which every data page carries), Lit and @lit/context (6.8 kB), and the elements that
// need no media, which the entry registers whether the page uses them or not. 51.7 kB with
// msgpackr and direct channels in the page; 39.5 kB since (issue 22 asks for 40 kB).
const ELEMENTS_LIMIT_BYTES = 40_000;

/** A page that imports `specifier` for connect + send + on. */
const connectPage = (specifier: string): string => `import { connect } from '${specifier}';
  const room = await connect('wss://rtc.example.com', 'token');
  room.on('message', (message) => console.log(message.data));
  await room.send('chat', { text: 'hello' });`;

/** A chat page built from elements: a room, its danmaku and a comment box. */
const elementsPage = (specifier: string): string => `import '${specifier}';
  document.body.innerHTML = '<sb-room url="wss://rtc.example.com" token="t"><sb-danmaku></sb-danmaku><sb-comment-box></sb-comment-box></sb-room>';`;

/**
 * What a page loads at start, minified as for production and split as a bundler splits it: the
 * entry chunk and the chunks it imports statically, gzipped each (as a server sends them), and
 * the sources in them. Code behind a dynamic `import()` (direct channels) is left out: a page
 * loads it only when it uses it.
 */
async function bundle(contents: string): Promise<{ gzipBytes: number; inputs: string[]; lazyInputs: string[] }> {
  const result = await build({
    stdin: {
      contents,
      resolveDir: SDK_DIR,
      loader: 'ts',
    },
    bundle: true,
    splitting: true,
    outdir: 'out',
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const outputs = result.metafile.outputs;
  const entry = Object.keys(outputs).find((path) => outputs[path]!.entryPoint !== undefined)!;
  const loaded = new Set<string>();
  const visit = (path: string): void => {
    if (loaded.has(path)) return;
    loaded.add(path);
    for (const imported of outputs[path]!.imports) if (imported.kind === 'import-statement') visit(imported.path);
  };
  visit(entry);
  let gzipBytes = 0;
  const inputs = new Set<string>();
  const lazyInputs = new Set<string>();
  for (const file of result.outputFiles) {
    const path = Object.keys(outputs).find((output) => file.path.endsWith(output))!;
    const sources = Object.keys(outputs[path]!.inputs);
    if (loaded.has(path)) {
      gzipBytes += gzipSync(file.contents).byteLength;
      for (const source of sources) inputs.add(source);
    } else for (const source of sources) lazyInputs.add(source);
  }
  return { gzipBytes, inputs: [...inputs], lazyInputs: [...lazyInputs] };
}

describe('bundle size of a data-only page', function () {
  this.timeout(30000);

  it(`@switchboard/sdk/data: connect + send + on is at most ${LIMIT_BYTES} bytes gzipped, without mediasoup-client or media code`, async () => {
    const { gzipBytes, inputs } = await bundle(connectPage('@switchboard/sdk/data'));
    assert.ok(gzipBytes <= LIMIT_BYTES, `${gzipBytes} bytes gzipped`);
    assert.deepEqual(inputs.filter((input) => /mediasoup-client|sdp-transform|src\/track\/(?!no-media|track-errors|room-media)/.test(input)), []);
    // The full SDK, for scale: the data entry point is what makes the difference.
    const full = await bundle(connectPage('@switchboard/sdk'));
    assert.ok(full.gzipBytes > 2 * gzipBytes, `full SDK ${full.gzipBytes} bytes, data-only ${gzipBytes}`);
  });

  it(`@switchboard/sdk/elements/data: <sb-room>, <sb-danmaku> and <sb-comment-box> are at most ${ELEMENTS_LIMIT_BYTES} bytes gzipped, without mediasoup-client`, async () => {
    const { gzipBytes, inputs, lazyInputs } = await bundle(elementsPage('@switchboard/sdk/elements/data'));
    assert.ok(gzipBytes <= ELEMENTS_LIMIT_BYTES, `${gzipBytes} bytes gzipped`);
    assert.deepEqual(inputs.filter((input) => /mediasoup-client|sdp-transform|src\/track\/(?!no-media|track-errors|room-media)|src\/connect\.ts/.test(input)), []);
    assert.ok(inputs.some((input) => input.endsWith('src/elements/sb-danmaku.ts')));
    assert.ok(['direct-channel.ts', 'direct-frame.ts', 'direct-cipher.ts'].every((name) => lazyInputs.some((input) => input.endsWith(name)) && !inputs.some((input) => input.endsWith(name))), 'direct channels load on first use');
    // The same page with every element, media included (95 kB): mediasoup-client and media code.
    const full = await bundle(elementsPage('@switchboard/sdk/elements'));
    assert.ok(full.gzipBytes - gzipBytes > 40_000, `all elements ${full.gzipBytes} bytes, data-only ${gzipBytes}`);
  });
});
