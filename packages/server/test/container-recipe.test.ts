import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { configHelp, loadConfig } from '../src/config.js';
import { startTestServer, type TestServer } from './support/test-server.js';

// The container recipe (packaging/container) names server settings, paths and packages in
// files no compiler checks: this keeps them in step with the server. Building and running the
// image needs root and podman: scripts/container-verify.sh does that, outside `npm test`.
const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const DIR = join(REPO, 'packaging/container');
const containerfile = readFileSync(join(DIR, 'Containerfile'), 'utf8');
const compose = parseYaml(readFileSync(join(DIR, 'compose.yaml'), 'utf8')) as {
  services: Record<string, { image: string; network_mode?: string; command?: string[]; environment?: Record<string, string> }>;
};
const SERVER_ENV = new Set([...configHelp().matchAll(/\bSWITCHBOARD_[A-Z0-9_]+/g)].map((match) => match[0]));
const SECRETS = { SWITCHBOARD_TOKEN_SECRET: 'container-token-secret-0123', SWITCHBOARD_API_SECRET: 'container-api-secret-01234' };
const run = promisify(execFile);

/** The Containerfile's instructions, continuation lines joined. */
function instructions(name: string): string[] {
  return containerfile
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((line) => line.startsWith(`${name} `))
    .map((line) => line.slice(name.length + 1).trim());
}

/** The Containerfile's ENV settings. */
function imageEnv(): Record<string, string> {
  return Object.fromEntries(instructions('ENV').flatMap((line) => [...line.matchAll(/([A-Z_]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!])));
}

/** Compose's `${NAME:-default}` and `${NAME:?message}` with the given variables. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (_, name: string, kind?: string, rest?: string) => {
    const given = vars[name];
    if (given !== undefined && given !== '') return given;
    if (kind === '?') throw new Error(`compose.yaml: ${name} is required (${rest})`);
    return kind === '-' ? (rest ?? '') : '';
  });
}

/** Runs the image's health probe here, as HEALTHCHECK runs it in the container. */
function probe(env: Record<string, string>): Promise<{ code: number; output: string }> {
  const args = ['--conditions=source', '--import', 'tsx', join(DIR, 'healthcheck.mjs')];
  return run(process.execPath, args, { cwd: REPO, env: { PATH: process.env.PATH, ...env }, timeout: 20_000 }).then(
    ({ stdout }) => ({ code: 0, output: stdout.trim() }),
    (error: { code: number; stdout: string }) => ({ code: error.code, output: error.stdout.trim() }),
  );
}

describe('container recipe (packaging/container) against the server', function () {
  this.timeout(30_000);

  it('sets only settings the server has in the image, and the server takes them with secrets added', () => {
    const env = imageEnv();
    const named = Object.keys(env).filter((name) => name.startsWith('SWITCHBOARD_'));
    assert.ok(named.length >= 2, 'the image names its config file and the console directory');
    for (const name of named) assert.ok(SERVER_ENV.has(name), `${name} is a server setting`);
    // The file the image copies to where SWITCHBOARD_CONFIG points.
    assert.ok(instructions('COPY').includes(`switchboard.yaml ${env.SWITCHBOARD_CONFIG}`));
    const config = loadConfig([], { ...env, SWITCHBOARD_CONFIG: join(DIR, 'switchboard.yaml'), ...SECRETS });
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.consoleDir, '/opt/switchboard/console');
    assert.deepEqual(instructions('EXPOSE')[0]?.split(' '), [`${config.port}/tcp`, `${config.rtcPort}/udp`, `${config.rtcPort}/tcp`]);
  });

  it('starts the server package\'s bin, probes /healthz with the probe it copies, installs the libraries setup.sh installs', () => {
    const bin = (JSON.parse(readFileSync(join(REPO, 'packages/server/package.json'), 'utf8')) as { bin: Record<string, string> }).bin['switchboard-server'];
    assert.deepEqual(JSON.parse(instructions('ENTRYPOINT')[0]!), ['node', `/opt/switchboard/node_modules/@switchboard/server/${bin!.replace(/^\.\//, '')}`]);
    assert.match(instructions('HEALTHCHECK')[0]!, /CMD \["node", "\/opt\/switchboard\/healthcheck\.mjs"\]$/);
    assert.ok(instructions('COPY').includes('healthcheck.mjs /opt/switchboard/healthcheck.mjs'));
    assert.match(readFileSync(join(DIR, 'healthcheck.mjs'), 'utf8'), /\/healthz`/);
    assert.match(instructions('USER')[0]!, /^switchboard$/);
    const setup = /^packages=\(([^)]*)\)/m.exec(readFileSync(join(REPO, 'scripts/setup.sh'), 'utf8'))?.[1]?.split(' ');
    const installed = /apt-get install -y --no-install-recommends ([^&]+)&&/.exec(instructions('RUN')[0]!)?.[1]?.trim().split(' ');
    assert.deepEqual(installed, setup);
  });

  it('compose: three nodes of one cluster on one Redis, each with its own ports, IDs and valid settings', () => {
    const nodes = Object.entries(compose.services).filter(([name]) => name.startsWith('node-'));
    assert.equal(nodes.length, 3);
    const redisPort = compose.services.redis?.command?.[compose.services.redis.command.indexOf('--port') + 1];
    const vars = { ...SECRETS, SWITCHBOARD_WORKERS: '2' };
    const configs = nodes.map(([name, service]) => {
      assert.equal(service.network_mode, 'host', name);
      const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, interpolate(String(value), vars)]));
      for (const key of Object.keys(env)) assert.ok(SERVER_ENV.has(key), `${name}: ${key} is a server setting`);
      return loadConfig([], { ...imageEnv(), SWITCHBOARD_CONFIG: join(DIR, 'switchboard.yaml'), ...env });
    });
    assert.equal(new Set(configs.map((c) => c.nodeId)).size, 3, 'node IDs');
    assert.equal(new Set(configs.map((c) => c.port)).size, 3, 'HTTP ports');
    assert.deepEqual(new Set(configs.map((c) => c.redisUrl)), new Set([`redis://127.0.0.1:${interpolate(redisPort ?? '', vars)}`]));
    // Worker i of a node listens on rtc-port + i: the nodes' ranges must not meet.
    const ranges = configs.map((c) => [c.rtcPort, c.rtcPort + c.workers - 1] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < ranges.length; i++) assert.ok(ranges[i]![0] > ranges[i - 1]![1], `rtc ports ${ranges.join(' / ')}`);
    assert.throws(() => interpolate(String(nodes[0]![1].environment?.SWITCHBOARD_TOKEN_SECRET), {}), /SWITCHBOARD_TOKEN_SECRET is required/);
  });

  describe('the health probe against a running server', () => {
    let server: TestServer;
    let dir: string;
    before(async () => {
      server = await startTestServer();
      dir = mkdtempSync(join(tmpdir(), 'switchboard-probe-'));
    });
    after(async () => {
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const port = () => new URL(server.server.url).port;

    it('finds the port in the environment or in the mounted config file, and gets 200 from /healthz', async () => {
      const fromEnv = await probe({ SWITCHBOARD_DEV: 'true', SWITCHBOARD_PORT: port() });
      assert.deepEqual(fromEnv, { code: 0, output: `http://127.0.0.1:${port()}/healthz: 200` });
      const file = join(dir, 'switchboard.yaml');
      writeFileSync(file, `host: 127.0.0.1\nport: ${port()}\ndev: true\n`);
      assert.deepEqual(await probe({ SWITCHBOARD_CONFIG: file }), fromEnv);
    });

    it('exits 1 when nothing answers there', async () => {
      await server.close();
      const result = await probe({ SWITCHBOARD_DEV: 'true', SWITCHBOARD_PORT: port() });
      assert.equal(result.code, 1);
      assert.match(result.output, new RegExp(`^http://127\\.0\\.0\\.1:${port()}/healthz: connect ECONNREFUSED`));
    });
  });
});
