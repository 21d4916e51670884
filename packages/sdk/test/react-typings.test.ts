import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/react-app', import.meta.url));
const TSC = join(REPO, 'node_modules/typescript/bin/tsc');
const run = promisify(execFile);

/** tsc's error lines (`file(line,col): error TSxxxx: …`) for the project in `cwd`. */
async function typeErrors(cwd: string): Promise<string[]> {
  const result = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd, maxBuffer: 16 * 1024 * 1024 }).then(
    ({ stdout }) => stdout,
    (error: { stdout?: string }) => error.stdout ?? '',
  );
  return result.split('\n').filter((line) => /error TS\d+/.test(line));
}

// What a new user does: pack the SDK, install it with React 19's types from npm into an empty
// project, and compile a TSX app that uses every element, with no declarations of their own.
describe('React 19 + TypeScript: the SDK ships the elements\' JSX types and custom-elements.json', function () {
  this.timeout(300_000);
  let app: string;
  let errors: string[];

  before(async () => {
    app = await mkdtemp(join(tmpdir(), 'switchboard-react-'));
    // prepack builds the SDK (tsc, then the Custom Elements Manifest).
    const { stdout } = await run('npm', ['pack', '-w', 'packages/sdk', '--pack-destination', app, '--json'], { cwd: REPO, maxBuffer: 16 * 1024 * 1024 });
    const [pack] = JSON.parse(stdout) as { filename: string }[];
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'react-app', private: true, type: 'module' }));
    await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', join(app, pack!.filename), 'react@19', '@types/react@19'], {
      cwd: app,
      maxBuffer: 16 * 1024 * 1024,
    });
    await cp(FIXTURE, join(app, 'src'), { recursive: true });
    const compilerOptions = { target: 'ES2022', lib: ['ES2023', 'DOM', 'DOM.Iterable'], module: 'ESNext', moduleResolution: 'Bundler', jsx: 'react-jsx', strict: true, noEmit: true };
    await writeFile(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['src/app.tsx', 'src/mistakes.tsx'] }));
    errors = await typeErrors(app);
  });
  after(() => rm(app, { recursive: true, force: true }));

  it('compiles an app using every element, typed messages and events, with 0 errors', async () => {
    assert.deepEqual(errors.filter((line) => line.startsWith('src/app.tsx')), []);
  });

  it('refuses wrong property values, unknown properties and mistyped event handlers', async () => {
    // One error per line of mistakes.tsx, on lines 4 to 7, and none elsewhere.
    assert.deepEqual(errors.map((line) => /^src\/mistakes\.tsx\((\d+),/.exec(line)?.[1]), ['4', '5', '6', '7'], errors.join('\n'));
  });

  it('ships custom-elements.json, named by package.json, listing every element with its attributes and events', async () => {
    const installed = join(app, 'node_modules/@switchboard/sdk');
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as { customElements?: string };
    assert.equal(manifest.customElements, 'custom-elements.json');
    const cem = JSON.parse(await readFile(join(installed, manifest.customElements), 'utf8')) as {
      modules: { path: string; declarations?: { tagName?: string; name: string; attributes?: { name: string }[]; events?: { name: string }[] }[] }[];
    };
    const elements = cem.modules.flatMap((m) => (m.declarations ?? []).filter((d) => d.tagName).map((d) => ({ ...d, path: m.path })));
    assert.deepEqual([...new Set(elements.map((e) => e.tagName))].sort(), [
      'sb-comment-box', 'sb-controlled-player', 'sb-danmaku', 'sb-peer-list', 'sb-publisher', 'sb-remote-control', 'sb-room', 'sb-video', 'sb-video-grid',
    ]);
    // Paths are the shipped modules.
    for (const element of elements) await readFile(join(installed, element.path));
    const room = elements.find((e) => e.name === 'SbRoom');
    assert.deepEqual(room?.attributes?.map((a) => a.name), ['url', 'token', 'hide-status', 'state']);
    assert.deepEqual(room?.events?.map((e) => e.name).sort(), ['sb-connected', 'sb-disconnected', 'sb-error']);
    assert.ok(elements.find((e) => e.tagName === 'sb-video')?.attributes?.some((a) => a.name === 'identity'));
  });
});
