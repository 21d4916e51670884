import { parseCorsOrigins } from '../http/cors.js';
import { parseIceUrls } from '../ice/ice-servers.js';
import { parseInteger, parseSecret, type AnyOptionSpec } from './option-spec.js';

/** Production: browser access (CORS), TLS and the ICE servers handed to clients. */
export const PRODUCTION_OPTIONS: readonly AnyOptionSpec[] = [
  {
    key: 'corsOrigins',
    flag: '--cors-origins',
    env: 'SWITCHBOARD_CORS_ORIGINS',
    help: 'comma-separated origins (or *) that may call the HTTP API and /dev/token from a browser',
    parse: (raw) => parseCorsOrigins(raw),
    fallback: () => [],
  },
  {
    key: 'tlsCert',
    flag: '--tls-cert',
    env: 'SWITCHBOARD_TLS_CERT',
    help: 'PEM certificate file; with --tls-key serves https:// and wss://',
    parse: (raw) => raw,
    fallback: () => undefined,
  },
  {
    key: 'tlsKey',
    flag: '--tls-key',
    env: 'SWITCHBOARD_TLS_KEY',
    help: 'PEM private key file of --tls-cert',
    parse: (raw) => raw,
    fallback: () => undefined,
  },
  {
    key: 'stunUrls',
    flag: '--stun-urls',
    env: 'SWITCHBOARD_STUN_URLS',
    help: 'comma-separated STUN URLs handed to clients (stun:host:3478)',
    parse: (raw) => parseIceUrls(raw, '--stun-urls', ['stun:', 'stuns:']),
    fallback: () => [],
  },
  {
    key: 'turnUrls',
    flag: '--turn-urls',
    env: 'SWITCHBOARD_TURN_URLS',
    help: 'comma-separated TURN URLs handed to clients (turn:host:3478, turns:host:443?transport=tcp)',
    parse: (raw) => parseIceUrls(raw, '--turn-urls', ['turn:', 'turns:']),
    fallback: () => [],
  },
  {
    key: 'turnSecret',
    flag: '--turn-secret',
    env: 'SWITCHBOARD_TURN_SECRET',
    help: "the TURN server's shared secret (coturn static-auth-secret), for short-lived credentials",
    parse: (raw) => parseSecret(raw, '--turn-secret'),
    fallback: () => undefined,
  },
  {
    key: 'turnCredentialTtlSeconds',
    flag: '--turn-credential-ttl',
    env: 'SWITCHBOARD_TURN_CREDENTIAL_TTL',
    help: 'seconds the TURN credentials handed to a joining peer stay valid',
    parse: (raw) => parseInteger(raw, '--turn-credential-ttl', 60, 7 * 24 * 3600),
    fallback: () => 86400,
  },
];
