import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configHelp, loadConfig } from '../src/config.js';

// One valid, non-default value for every flag (without "--"); the first test checks that the
// list is complete, so a new flag cannot miss the config file.
const SAMPLE: Record<string, string | number | boolean | string[]> = {
  host: '127.0.0.2',
  port: 9123,
  workers: 3,
  'log-level': 'debug',
  'static-dir': '/srv/switchboard/www',
  console: true,
  'console-dir': '/srv/switchboard/console',
  dev: false,
  'token-secret': 'token-secret-from-the-file-0123',
  'api-secret': 'api-secret-from-the-file-012345',
  'rtc-ip': '127.0.0.3',
  'rtc-lan-ip': '127.0.0.4',
  'rtc-announced-address': 'rtc.example.com',
  'rtc-port': 41000,
  'rtc-socket-buffer': 2097152,
  'max-message-size': 4096,
  'messages-per-second': 50,
  'message-burst': 60,
  'reconnect-grace': 5,
  'replay-buffer-bytes': 1024,
  'sctp-send-buffer': 131072,
  'data-batch-window': 2,
  'data-batch-max-bytes': 8192,
  'max-incoming-bitrate': 1_000_000,
  'initial-outgoing-bitrate': 1_500_000,
  'key-frame-request-delay': 500,
  'video-start-hold': 120,
  'worker-placement': 'spread',
  'worker-wait': 20,
  'max-token-ttl': 7200,
  'join-timeout': 15,
  'max-connections-per-ip': 64,
  'max-connections': 900,
  'requests-per-second': 40,
  'request-burst': 120,
  'updates-per-second': 4,
  'update-burst': 12,
  'max-metadata-bytes': 2048,
  'fanout-bytes-per-second': 131072,
  'max-open-streams': 4,
  'max-stream-bytes': 1048576,
  'stream-bytes-per-second': 2097152,
  'stream-burst-bytes': 4194304,
  'rate-limit-kick-after': 25,
  'redis-url': 'redis://127.0.0.1:6390',
  'redis-master-name': 'sb-primary',
  'redis-timeout-ms': 1500,
  'redis-wait-replicas': 1,
  'node-id': 'node-from-the-file',
  'cluster-heartbeat-ms': 500,
  'cluster-node-ttl-ms': 3000,
  'pipe-ip': '127.0.0.4',
  'pipe-announced-address': 'pipe.example.com',
  'direct-signals-per-second': 10,
  'direct-signal-burst': 40,
  'webhook-urls': ['https://backend.example.com/switchboard-events'],
  'webhook-secret': 'webhook-secret-from-the-file-01',
  'webhook-message-types': ['comment', 'report'],
  'webhook-queue-limit': 500,
  'webhook-max-attempts': 4,
  'webhook-retry-delay-ms': 250,
  'webhook-timeout-ms': 3000,
  'history-limit': 25,
  'history-types': ['comment', 'note'],
  'history-topics': ['chat'],
  'history-bytes': 65536,
  'history-max-limit': 500,
  'history-max-bytes': 2097152,
  'cors-origins': ['https://app.example.com', 'http://localhost:5173'],
  'tls-cert': '/etc/switchboard/fullchain.pem',
  'tls-key': '/etc/switchboard/privkey.pem',
  'stun-urls': ['stun:turn.example.com:3478'],
  'turn-urls': ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:443?transport=tcp'],
  'turn-secret': 'turn-secret-from-the-file-0123',
  'turn-credential-ttl': 3600,
};

function asFlags(settings: typeof SAMPLE): string[] {
  return Object.entries(settings).map(([key, value]) => `--${key}=${Array.isArray(value) ? value.join(',') : String(value)}`);
}

function yamlOf(settings: typeof SAMPLE): string {
  const line = (value: unknown) => (Array.isArray(value) ? `[${value.map((v) => JSON.stringify(v)).join(', ')}]` : JSON.stringify(value));
  return Object.entries(settings)
    .map(([key, value]) => `${key}: ${line(value)}`)
    .join('\n');
}

describe('config file (--config switchboard.json|yaml)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-config-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function file(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  it('covers every flag, in JSON and in YAML, with the same result as the flags', () => {
    // --redis-sentinels is refused beside --redis-url (cluster-server.test.ts covers it).
    const flags = [...configHelp().matchAll(/^ {2}--([a-z-]+)/gm)].map((match) => match[1]).filter((flag) => flag !== 'config' && flag !== 'redis-sentinels');
    assert.deepEqual(flags.filter((flag) => !(flag as string in SAMPLE)), [], 'every flag has a sample value');
    const expected = loadConfig(asFlags(SAMPLE), {});
    assert.deepEqual(loadConfig(['--config', file('all.json', JSON.stringify(SAMPLE))], {}), expected);
    assert.deepEqual(loadConfig([`--config=${file('all.yaml', yamlOf(SAMPLE))}`], {}), expected);
    assert.deepEqual(loadConfig([], { SWITCHBOARD_CONFIG: file('all.yml', yamlOf(SAMPLE)) }), expected);
  });

  it('lets flags, then environment variables, win over the file', () => {
    const path = file('base.yaml', 'dev: true\nport: 9000\nworkers: 2\nlog-level: warn\n');
    const config = loadConfig(['--config', path, '--port', '9001'], { SWITCHBOARD_WORKERS: '4' });
    assert.equal(config.port, 9001);
    assert.equal(config.workers, 4);
    assert.equal(config.logLevel, 'warn');
    assert.equal(config.dev, true);
  });

  it('refuses unknown keys, wrong values and unreadable files with CONFIG_INVALID naming the file', () => {
    const cases: [string, RegExp][] = [
      [file('typo.yaml', 'dev: true\nprot: 9000\n'), /typo\.yaml: unknown key "prot"; the keys are the flags without "--": host, port/],
      [file('bad-port.json', '{"dev": true, "port": "abc"}'), /bad-port\.json: --port must be an integer/],
      [file('nested.yaml', 'dev: true\nhost:\n  name: x\n'), /nested\.yaml: "host" must be a string/],
      [file('list.json', '[1, 2]'), /list\.json: it must hold one object/],
      [file('broken.json', '{"port": '), /broken\.json: it is not valid JSON/],
      [file('broken.yaml', 'port: [1,\n'), /broken\.yaml: it is not valid YAML/],
      [file('settings.toml', 'port = 1'), /must end in \.json, \.yaml or \.yml/],
      [join(dir, 'missing.yaml'), /missing\.yaml: cannot read it \(ENOENT\)/],
    ];
    for (const [path, message] of cases) {
      assert.throws(() => loadConfig(['--config', path], {}), { code: 'CONFIG_INVALID', message }, path);
    }
    assert.throws(() => loadConfig(['--config'], {}), { code: 'CONFIG_INVALID', message: /--config needs a value/ });
  });

  it('accepts the example config the package ships in packaging/, with the secrets from the environment', () => {
    const example = fileURLToPath(new URL('../packaging/switchboard.example.yaml', import.meta.url));
    const config = loadConfig(['--config', example], { SWITCHBOARD_TOKEN_SECRET: 'a'.repeat(32), SWITCHBOARD_API_SECRET: 'b'.repeat(32) });
    assert.equal(config.port, 443);
    assert.deepEqual(config.corsOrigins, ['https://app.example.com']);
  });

  it('still requires the secrets outside dev mode when the file has none', () => {
    const path = file('prod.yaml', 'port: 8443\n');
    assert.throws(() => loadConfig(['--config', path], {}), { code: 'CONFIG_INVALID', message: /--token-secret/ });
  });
});
