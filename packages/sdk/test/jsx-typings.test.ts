import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
const TSC = join(REPO, 'node_modules/typescript/bin/tsc');
const run = promisify(execFile);

/** tsc's error lines (`file(line,col): error TSxxxx: …`) for the project `tsconfig` in `cwd`. */
async function typeErrors(cwd: string, tsconfig: string): Promise<string[]> {
  const result = await run(process.execPath, [TSC, '-p', tsconfig], { cwd, maxBuffer: 16 * 1024 * 1024 }).then(
    ({ stdout }) => stdout,
    (error: { stdout?: string }) => error.stdout ?? '',
  );
  return result.split('\n').filter((line) => /error TS\d+/.test(line));
}

// What a new user does: pack the SDK, install it with React 19's types (or Preact, or Solid) from
// npm into an empty project, and compile a TSX app that uses every element, with no declarations
// of their own. One project for the three, each framework's app with its own tsconfig.
describe('React 19, Preact and Solid + TypeScript: the SDK ships the elements\' JSX types and custom-elements.json', function () {
  this.timeout(300_000);
  let app: string;
  let errors: string[];
  let preactErrors: string[];
  let solidErrors: string[];

  before(async () => {
    app = await mkdtemp(join(tmpdir(), 'switchboard-react-'));
    // prepack builds the SDK (tsc, then the Custom Elements Manifest).
    const { stdout } = await run('npm', ['pack', '-w', 'packages/sdk', '--pack-destination', app, '--json'], { cwd: REPO, maxBuffer: 16 * 1024 * 1024 });
    const [pack] = JSON.parse(stdout) as { filename: string }[];
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'react-app', private: true, type: 'module' }));
    const frameworks = ['react@19', '@types/react@19', 'preact@10', 'solid-js@1'];
    await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', join(app, pack!.filename), ...frameworks], {
      cwd: app,
      maxBuffer: 16 * 1024 * 1024,
    });
    await cp(join(FIXTURES, 'react-app'), join(app, 'src'), { recursive: true });
    await cp(join(FIXTURES, 'preact-app'), join(app, 'preact'), { recursive: true });
    await cp(join(FIXTURES, 'solid-app'), join(app, 'solid'), { recursive: true });
    const compilerOptions = { target: 'ES2022', lib: ['ES2023', 'DOM', 'DOM.Iterable'], module: 'ESNext', moduleResolution: 'Bundler', jsx: 'react-jsx', strict: true, noEmit: true };
    const project = async (name: string, options: object, files: string[]): Promise<string[]> => {
      await writeFile(join(app, name), JSON.stringify({ compilerOptions: { ...compilerOptions, ...options }, files }));
      return typeErrors(app, name);
    };
    errors = await project('tsconfig.json', {}, ['src/app.tsx', 'src/mistakes.tsx']);
    // As each framework's own templates configure TypeScript.
    preactErrors = await project('tsconfig.preact.json', { jsxImportSource: 'preact' }, ['preact/app.tsx']);
    solidErrors = await project('tsconfig.solid.json', { jsx: 'preserve', jsxImportSource: 'solid-js' }, ['solid/app.tsx']);
  });
  after(() => rm(app, { recursive: true, force: true }));

  it('compiles an app using every element, typed messages and events, with 0 errors', async () => {
    assert.deepEqual(errors.filter((line) => line.startsWith('src/app.tsx')), []);
  });

  it('refuses wrong property values, unknown properties and mistyped event handlers', async () => {
    // One error per line of mistakes.tsx, on lines 4 to 7, and none elsewhere.
    assert.deepEqual(errors.map((line) => /^src\/mistakes\.tsx\((\d+),/.exec(line)?.[1]), ['4', '5', '6', '7'], errors.join('\n'));
  });

  // Each app uses every element as the framework sets properties and listens to events, and
  // marks its mistakes (wrong values, an unknown property, a mistyped handler) `@ts-expect-error`:
  // 0 errors means the app compiles and every mistake is refused.
  it('compiles a Preact app using every element, and refuses its mistakes', () => {
    assert.deepEqual(preactErrors, []);
  });

  it('compiles a Solid app using every element (on:<event> handlers), and refuses its mistakes', () => {
    assert.deepEqual(solidErrors, []);
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
