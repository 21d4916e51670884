import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packWorkspaces, thisNodeFirstOnPath } from '../../server/test/support/npm-pack.js';
import { startTestServer, type TestServer } from '../../server/test/support/test-server.js';

const run = promisify(execFile);

// What an operator does: install the packed tool into an empty folder and run it against a server.
describe('npm package: switchboard-load runs from its tarball', function () {
  this.timeout(600_000);
  let dir: string;
  let server: TestServer;
  let restorePath: (() => void) | undefined;

  before(async () => {
    restorePath = thisNodeFirstOnPath();
    server = await startTestServer();
    dir = await mkdtemp(join(tmpdir(), 'switchboard-load-'));
    const packs = await packWorkspaces(dir, ['packages/sdk', 'packages/server', 'packages/load']);
    const load = packs.find((p) => p.name === '@switchboard/load')!;
    const paths = load.files.map((f) => f.path);
    assert.ok(paths.includes('dist/cli.js') && paths.includes('dist/worker.js') && paths.includes('LICENSE'), 'the CLI, its worker and the licence');
    assert.deepEqual(paths.filter((p) => /(^|\/)(src|test)\//.test(p)), []);
    const app = join(dir, 'app');
    await mkdir(app);
    // The server package comes along for AccessToken only: its mediasoup worker download is denied.
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module', allowScripts: { mediasoup: false } }));
    await run('npm', ['install', ...packs.map((p) => join(dir, p.filename)), '--no-audit', '--no-fund', '--prefer-offline'], { cwd: app, maxBuffer: 16 * 1024 * 1024 });
  });
  after(async () => {
    restorePath?.();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const bin = (): string => join(dir, 'app', 'node_modules', '.bin', 'switchboard-load');

  it('runs a small live room from the installed bin and writes a passing JSON result', async () => {
    const out = join(dir, 'app', 'out.json');
    const { stdout } = await run(bin(), ['--url', server.wsUrl, '--secret', server.config.tokenSecret, '--viewers', '6', '--commenters', '1', '--comment-rate', '3', '--duration', '3', '--processes', '1', '--json', out, '--html', join(dir, 'app', 'report.html'), '--quiet'], { cwd: join(dir, 'app') });
    assert.match(stdout, /PASSED/);
    assert.match(stdout, /^server workers +cpu .*, UDP drops \d+$/m, "the table says what the workers' sockets dropped");
    const result = JSON.parse(await readFile(out, 'utf8')) as { passed: boolean; delivery: { receivers: number; exactlyOnce: number; sent: number } };
    assert.equal(result.passed, true);
    assert.deepEqual([result.delivery.receivers, result.delivery.exactlyOnce], [6, 6]);
    assert.ok(result.delivery.sent > 0);
    assert.match(await readFile(join(dir, 'app', 'report.html'), 'utf8'), /<svg /);
  });

  it('exits 3 with a clear message on a wrong secret, and 2 on a bad flag', async () => {
    const wrong = await run(bin(), ['--url', server.wsUrl, '--secret', 'not-the-server-secret-0123456789', '--viewers', '2', '--commenters', '0', '--comment-rate', '0', '--processes', '1', '--quiet']).catch((error: { code: number; stderr: string }) => error);
    assert.equal((wrong as { code: number }).code, 3);
    assert.match((wrong as { stderr: string }).stderr, /refused the token \(INVALID_TOKEN\)/);
    const bad = await run(bin(), ['--url', server.wsUrl]).catch((error: { code: number; stderr: string }) => error);
    assert.equal((bad as { code: number }).code, 2);
    assert.match((bad as { stderr: string }).stderr, /--secret/);
  });
});
