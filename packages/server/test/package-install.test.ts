import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { packWorkspaces, thisNodeFirstOnPath, type PackResult } from './support/npm-pack.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const run = promisify(execFile);

// What a new user does, outside the monorepo: pack both packages, install the tarballs into an
// empty project, provide the worker, start the server, use both packages.
describe('npm packages: both tarballs install into an empty folder and work', function () {
  // Each case installs from the registry (cache warm): a minute or two, more on a busy machine.
  this.timeout(600_000);
  let dir: string;
  let packs: PackResult[];
  let restorePath: () => void;

  before(async () => {
    restorePath = thisNodeFirstOnPath();
    dir = await mkdtemp(join(tmpdir(), 'switchboard-packages-'));
    packs = await packWorkspaces(dir, ['packages/sdk', 'packages/server']);
  });
  after(async () => {
    restorePath();
    await rm(dir, { recursive: true, force: true });
  });

  it('packs README, LICENSE, engines and built code, without sources, tests or the source condition', async () => {
    assert.deepEqual(packs.map((p) => p.name).sort(), ['@switchboard/sdk', '@switchboard/server']);
    for (const pack of packs) {
      const paths = pack.files.map((f) => f.path);
      assert.ok(paths.includes('README.md') && paths.includes('LICENSE'), `${pack.name}: README.md and LICENSE`);
      assert.deepEqual(paths.filter((p) => /(^|\/)(src|test)\/|\.test\.|\.ts$/.test(p) && !p.endsWith('.d.ts')), [], pack.name);
      const { stdout } = await run('tar', ['-xOzf', join(dir, pack.filename), 'package/package.json']);
      const manifest = JSON.parse(stdout) as { engines?: { node?: string }; exports: Record<string, Record<string, string>> };
      assert.match(manifest.engines?.node ?? '', /^>=\d+/, `${pack.name}: engines.node`);
      for (const [entry, conditions] of Object.entries(manifest.exports)) {
        assert.deepEqual(Object.keys(conditions), ['types', 'default'], `${pack.name} ${entry}`);
      }
    }
    // What docs/deploy.md copies from the installed package.
    const server = packs.find((p) => p.name === '@switchboard/server')?.files.map((f) => f.path) ?? [];
    assert.ok(server.includes('packaging/systemd/switchboard.service') && server.includes('packaging/switchboard.example.yaml'), 'server: packaging/');
    // The repository's own manifests are restored after packing.
    const sdkManifest = JSON.parse(await readFile(join(REPO, 'packages/sdk/package.json'), 'utf8')) as { exports: Record<string, Record<string, string>> };
    assert.equal(sdkManifest.exports['.']?.source, './src/index.ts');
  });

  // The npm that Node 22 bundles (10) and the current one (11), each as `npx npm@N` (cached by npx).
  for (const major of [10, 11]) {
    it(`installs with npm ${major} as docs/install.md says, provides the worker, starts the server and runs both packages`, async () => {
      const npm = (args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) =>
        run('npx', ['-y', `npm@${major}`, ...args], { cwd, env, maxBuffer: 16 * 1024 * 1024 });
      assert.equal((await npm(['--version'], dir)).stdout.split('.')[0], String(major));
      const app = join(dir, `app-npm${major}`);
      await mkdir(app);
      // As docs/install.md says: npm 11 reads allowScripts; for npm 10 the variable keeps
      // mediasoup's postinstall (a GitHub download, then pip) from running.
      await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module', allowScripts: { mediasoup: false } }));
      const tarballs = packs.map((p) => join(dir, p.filename));
      const installed = await npm(['install', ...tarballs, '--no-audit', '--no-fund', '--prefer-offline'], app, { ...process.env, MEDIASOUP_WORKER_BIN: 'skip' });
      const output = `${installed.stdout}${installed.stderr}`;
      assert.doesNotMatch(output, /pip|meson|executeCmd|mediasoup-worker/i, 'mediasoup\'s postinstall did not run');
      assert.ok(output.split('\n').length < 25, `a short install log:\n${output}`);

      // Before install-worker, the server says what to run.
      const bin = join(app, 'node_modules', '.bin', 'switchboard-server');
      const noWorker = await run(bin, ['--dev', '--port', '0', '--rtc-port', '0', '--workers', '1'], { cwd: app }).then(
        () => assert.fail('the server started without a worker'),
        (error: { code: number; stdout: string }) => error,
      );
      assert.equal(noWorker.code, 1);
      const failed = noWorker.stdout.split('\n').find((line) => line.includes('server failed to start'));
      const { error } = JSON.parse(failed ?? '{}') as { error?: { code: string; message: string } };
      assert.equal(error?.code, 'WORKER_START_FAILED');
      assert.match(error?.message ?? '', /The worker binary is not installed: run `npx switchboard-server install-worker`/);

      const worker = await run(bin, ['install-worker'], { cwd: app });
      assert.match(worker.stdout, /mediasoup worker ready \((cache|download|build)\)/);

      const server = spawn(bin, ['--dev', '--port', '0', '--rtc-port', '0', '--workers', '1'], { cwd: app, stdio: ['ignore', 'pipe', 'inherit'] });
      try {
        const url = await listeningUrl(server.stdout);
        const health = (await (await fetch(`${url}/healthz`)).json()) as { status: string; uws: string };
        assert.equal(health.status, 'ok');
        assert.match(health.uws, /^@based\/uws@/);
      } finally {
        const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
        server.kill('SIGTERM');
        assert.equal(await exited, 0);
      }

      // Both packages from the app: a token minted and verified, the elements imported under Node.
      const script = `
        const { AccessToken } = await import('@switchboard/server');
        const elements = await import('@switchboard/sdk/elements');
        const { connect } = await import('@switchboard/sdk');
        const data = await import('@switchboard/sdk/data');
        const secret = 'a-backend-secret-0123456789';
        const token = await new AccessToken(secret, { identity: 'alice', room: 'lobby', grants: ['subscribe'] }).toJwt();
        const verified = await AccessToken.verify(token, secret);
        console.log(JSON.stringify({ identity: verified.identity, subscribe: verified.grants.subscribe, room: typeof elements.SbRoom, connect: typeof connect, dataConnect: typeof data.connect }));`;
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app });
      assert.deepEqual(JSON.parse(stdout), { identity: 'alice', subscribe: true, room: 'function', connect: 'function', dataConnect: 'function' });
    });
  }
});

/** The URL from the server's `listening` log line. */
function listeningUrl(stdout: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not log "listening" within 30 s')), 30_000);
    createInterface({ input: stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'listening' && entry.url) {
        clearTimeout(timer);
        resolve(entry.url);
      }
    });
  });
}
