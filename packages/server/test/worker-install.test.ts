import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ensureWorker, planWorker, recipeHash, validateWorker } from '../scripts/mediasoup-worker/ensure-worker.mjs';

const VERSION = '3.19.3';

interface Fixture {
  root: string;
  mediasoupDir: string;
  cacheRoot: string;
  recipeDir: string;
  target: string;
  cached: () => string;
  // outFileExisted: whether a file was already at outFile when build started.
  builds: { mediasoupDir: string; outFile: string; outFileExisted: boolean }[];
  logs: string[];
  run: () => ReturnType<typeof ensureWorker>;
}

// Stand-ins for the real worker: a "binary" is valid when its content starts
// with VALID, and each build writes a numbered valid one, so tests can tell
// which step produced the file that ended up where.
const fakeValidate = (file: string) => fs.readFileSync(file, 'utf8').startsWith('VALID');

function write(file: string, content: string) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

function makeFixture(): Fixture {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-install-'));
  const mediasoupDir = path.join(root, 'node_modules', 'mediasoup');
  const cacheRoot = path.join(root, 'cache');
  const recipeDir = path.join(root, 'recipe');
  write(path.join(mediasoupDir, 'package.json'), JSON.stringify({ name: 'mediasoup', version: VERSION }));
  write(path.join(recipeDir, 'build-worker.sh'), 'echo build\n');
  write(path.join(recipeDir, 'patch-meson.py'), 'print("patch")\n');
  write(path.join(recipeDir, 'compat', 'srtp.h'), '/* srtp */\n');
  write(path.join(recipeDir, 'compat', 'ankerl', 'unordered_dense.h'), '/* ankerl */\n');

  const builds: Fixture['builds'] = [];
  const logs: string[] = [];
  const fixture: Fixture = {
    root,
    mediasoupDir,
    cacheRoot,
    recipeDir,
    target: path.join(mediasoupDir, 'worker', 'out', 'Release', 'mediasoup-worker'),
    // A function: the path depends on the recipe hash, which a test may change.
    cached: () =>
      path.join(cacheRoot, 'mediasoup-worker', `${VERSION}-${recipeHash(recipeDir)}`, 'mediasoup-worker'),
    builds,
    logs,
    run: () =>
      ensureWorker({
        mediasoupDir,
        cacheRoot,
        recipeDir,
        validate: fakeValidate,
        download: false,
        log: (line) => logs.push(line),
        build: async ({ mediasoupDir: dir, outFile }) => {
          builds.push({ mediasoupDir: dir, outFile, outFileExisted: fs.existsSync(outFile) });
          write(outFile, `VALID build ${builds.length}`);
        },
      }),
  };
  return fixture;
}

describe('mediasoup worker install', () => {
  let fx: Fixture;

  beforeEach(() => {
    fx = makeFixture();
  });

  afterEach(() => {
    fs.rmSync(fx.root, { recursive: true, force: true });
  });

  describe('planWorker', () => {
    const table: [boolean, boolean, boolean, string[]][] = [
      [true, true, true, ['existing']],
      [true, false, true, ['existing']],
      [false, true, true, ['cache']],
      [false, false, true, ['download', 'build']],
      [false, false, false, ['build']],
    ];
    for (const [targetValid, cacheValid, downloadAllowed, expected] of table) {
      it(`target ${targetValid ? 'valid' : 'invalid'}, cache ${cacheValid ? 'valid' : 'invalid'}, download ${downloadAllowed ? 'allowed' : 'off'} -> ${expected.join(', then ')}`, () => {
        assert.deepEqual(planWorker({ targetValid, cacheValid, downloadAllowed }), expected);
      });
    }
  });

  describe('ensureWorker', () => {
    it('uses a valid binary already at the target without building or caching', async () => {
      write(fx.target, 'VALID prebuilt');

      const result = await fx.run();

      assert.deepEqual(result, { decision: 'existing', binary: fx.target });
      assert.equal(fx.builds.length, 0);
      assert.equal(fs.readFileSync(fx.target, 'utf8'), 'VALID prebuilt');
      assert.equal(fs.existsSync(fx.cacheRoot), false);
    });

    it('copies a valid cached binary to the target without building', async () => {
      write(fx.cached(), 'VALID cached');

      const result = await fx.run();

      assert.deepEqual(result, { decision: 'cache', binary: fx.target });
      assert.equal(fx.builds.length, 0);
      assert.equal(fs.readFileSync(fx.target, 'utf8'), 'VALID cached');
      assert.equal(fs.statSync(fx.target).mode & 0o777, 0o755);
    });

    it('builds into the cache when nothing is there, then reuses the cache', async () => {
      const first = await fx.run();

      assert.equal(first.decision, 'build');
      assert.deepEqual(fx.builds, [{ mediasoupDir: fx.mediasoupDir, outFile: fx.cached(), outFileExisted: false }]);
      assert.equal(fs.readFileSync(fx.cached(), 'utf8'), 'VALID build 1');
      assert.equal(fs.readFileSync(fx.target, 'utf8'), 'VALID build 1');

      // As after a fresh `npm ci`: node_modules is new, the cache is not.
      fs.rmSync(path.join(fx.mediasoupDir, 'worker'), { recursive: true });
      const second = await fx.run();

      assert.equal(second.decision, 'cache');
      assert.equal(fx.builds.length, 1);
      assert.equal(fs.readFileSync(fx.target, 'utf8'), 'VALID build 1');

      const third = await fx.run();
      assert.equal(third.decision, 'existing');
      assert.equal(fx.builds.length, 1);
    });

    it('deletes an invalid cached binary and rebuilds it', async () => {
      write(fx.cached(), 'BROKEN cached');

      const result = await fx.run();

      assert.equal(result.decision, 'build');
      assert.equal(fx.builds.length, 1);
      assert.equal(fx.builds[0]?.outFileExisted, false, 'the invalid file is deleted before the build starts');
      assert.equal(fs.readFileSync(fx.cached(), 'utf8'), 'VALID build 1');
      assert.equal(fs.readFileSync(fx.target, 'utf8'), 'VALID build 1');
      assert.ok(fx.logs.some((line) => line.includes('deleting it and rebuilding')), fx.logs.join('\n'));
    });

    it('replaces an invalid binary at the target', async () => {
      write(fx.target, 'BROKEN prebuilt for another libc');
      write(fx.cached(), 'VALID cached');

      const result = await fx.run();

      assert.equal(result.decision, 'cache');
      assert.equal(fx.builds.length, 0);
      assert.equal(fs.readFileSync(fx.target, 'utf8'), 'VALID cached');
    });

    it('rebuilds when the recipe changes, keyed by the new hash', async () => {
      await fx.run();
      const oldCached = fx.cached();
      fs.rmSync(path.join(fx.mediasoupDir, 'worker'), { recursive: true });
      write(path.join(fx.recipeDir, 'compat', 'srtp.h'), '/* srtp, fixed */\n');

      const result = await fx.run();

      assert.equal(result.decision, 'build');
      assert.equal(fx.builds.length, 2);
      assert.notEqual(fx.cached(), oldCached);
      assert.equal(fs.readFileSync(fx.cached(), 'utf8'), 'VALID build 2');
    });

    it('fails when the build does not produce a valid binary, leaving the target absent', async () => {
      await assert.rejects(
        ensureWorker({
          mediasoupDir: fx.mediasoupDir,
          cacheRoot: fx.cacheRoot,
          recipeDir: fx.recipeDir,
          validate: fakeValidate,
          download: false,
          log: () => {},
          build: async ({ outFile }) => write(outFile, 'BROKEN build'),
        }),
        /fails mediasoup's self-check/,
      );
      assert.equal(fs.existsSync(fx.target), false);
    });
  });

  describe('recipeHash', () => {
    it('is 16 hex chars and stable for unchanged files', () => {
      const hash = recipeHash(fx.recipeDir);
      assert.match(hash, /^[0-9a-f]{16}$/);
      assert.equal(recipeHash(fx.recipeDir), hash);
    });

    const edits: [string, (dir: string) => void][] = [
      ['build-worker.sh changes', (dir) => fs.appendFileSync(path.join(dir, 'build-worker.sh'), '# tweak\n')],
      ['patch-meson.py changes', (dir) => fs.appendFileSync(path.join(dir, 'patch-meson.py'), '# tweak\n')],
      ['a nested compat header changes', (dir) => fs.appendFileSync(path.join(dir, 'compat', 'ankerl', 'unordered_dense.h'), ' ')],
      ['a compat header is added', (dir) => write(path.join(dir, 'compat', 'liburing.h'), '/* uring */\n')],
      [
        'a compat header is renamed',
        (dir) => fs.renameSync(path.join(dir, 'compat', 'srtp.h'), path.join(dir, 'compat', 'srtp2.h')),
      ],
    ];
    for (const [what, edit] of edits) {
      it(`changes when ${what}`, () => {
        const before = recipeHash(fx.recipeDir);
        edit(fx.recipeDir);
        assert.notEqual(recipeHash(fx.recipeDir), before);
      });
    }

    it('ignores files outside the recipe (e.g. tests or notes beside it)', () => {
      const before = recipeHash(fx.recipeDir);
      write(path.join(fx.recipeDir, 'README.md'), 'notes\n');
      assert.equal(recipeHash(fx.recipeDir), before);
    });

    it('names a missing recipe file', () => {
      fs.rmSync(path.join(fx.recipeDir, 'patch-meson.py'));
      assert.throws(() => recipeHash(fx.recipeDir), /recipe file missing: .*patch-meson\.py/);
    });
  });

  describe('validateWorker', () => {
    // Mirrors mediasoup-worker: exit 41 means "runs here, but MEDIASOUP_VERSION
    // is missing", so the check must start it with an empty environment.
    function script(body: string) {
      const file = path.join(fx.root, `worker-${Math.random().toString(36).slice(2)}.sh`);
      write(file, `#!/bin/sh\n${body}\n`);
      fs.chmodSync(file, 0o755);
      return file;
    }

    it('accepts a binary that exits 41 without MEDIASOUP_VERSION, even when the caller has it set', () => {
      const previous = process.env.MEDIASOUP_VERSION;
      process.env.MEDIASOUP_VERSION = VERSION;
      try {
        assert.equal(validateWorker(script('[ -z "$MEDIASOUP_VERSION" ] && exit 41; exit 0')), true);
      } finally {
        if (previous === undefined) delete process.env.MEDIASOUP_VERSION;
        else process.env.MEDIASOUP_VERSION = previous;
      }
    });

    it('rejects other exit statuses and missing files', () => {
      assert.equal(validateWorker(script('exit 0')), false);
      assert.equal(validateWorker(script('exit 127')), false);
      assert.equal(validateWorker(path.join(fx.root, 'nope')), false);
    });
  });
});
