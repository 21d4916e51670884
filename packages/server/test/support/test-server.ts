import { loadConfig, type ServerConfig } from '../../src/config.js';
import { Logger } from '../../src/log.js';
import { signToken } from '../../src/auth/token.js';
import { startServer, type SwitchboardServer } from '../../src/server.js';
import { DEFAULT_GRANTS, GRANT_NAMES, type Grants, type PeerMetadata } from '@switchboard/sdk/protocol';

/** A server on free loopback ports for one test file, with helpers to mint tokens. */
export interface TestServer {
  server: SwitchboardServer;
  config: ServerConfig;
  /** `ws://127.0.0.1:<port>` */
  wsUrl: string;
  token(room: string, identity: string, extra?: { grants?: Partial<Grants>; name?: string; metadata?: PeerMetadata; ttlSeconds?: number }): Promise<string>;
  close(): Promise<void>;
}

/** Starts a dev-mode server; `flags` override the defaults (e.g. `['--messages-per-second', '5']`). */
export async function startTestServer(flags: string[] = []): Promise<TestServer> {
  const config = loadConfig(['--dev', '--port', '0', '--rtc-port', '0', '--rtc-lan-ip', 'none', '--workers', '1', '--log-level', 'warn', ...flags], {});
  const server = await startServer(config, new Logger('error'));
  return {
    server,
    config,
    wsUrl: server.url.replace(/^http/, 'ws'),
    token: (room, identity, extra = {}) =>
      // Signed as given, without AccessToken's checks, so a test can mint tokens the server must
      // refuse (an already expired one, a bad identity or metadata). Tests say grants as an
      // object ({ subscribe: true }); tokens list names.
      signToken(
        {
          room,
          identity,
          grants: { ...DEFAULT_GRANTS, ...(extra.grants ? Object.fromEntries(GRANT_NAMES.map((grant) => [grant, extra.grants?.[grant] === true])) : {}) },
          ...(extra.name ? { name: extra.name } : {}),
          ...(extra.metadata ? { metadata: extra.metadata } : {}),
        },
        config.tokenSecret,
        extra.ttlSeconds ?? 300,
      ),
    close: () => server.close(),
  };
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every 20 ms until it returns true or `timeoutMs` passes (then throws `what`). */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
