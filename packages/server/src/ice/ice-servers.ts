import { createHmac } from 'node:crypto';
import type { IceServer } from '@switchboard/sdk/protocol';
import { ServerError } from '../errors.js';

/** How the ICE servers handed to clients are configured. */
export interface IceServerConfig {
  /** STUN URLs (`stun:host:port`), given as they are. */
  stunUrls: readonly string[];
  /** TURN URLs (`turn:host:3478?transport=udp`, `turns:host:443?transport=tcp`). */
  turnUrls: readonly string[];
  /** coturn's `static-auth-secret` (`use-auth-secret`); required with TURN URLs. */
  turnSecret: string | undefined;
  /** How long the TURN credentials handed out stay valid, in seconds. */
  turnCredentialTtlSeconds: number;
}

/**
 * The ICE servers a joining peer gets in its join result. TURN credentials follow the TURN REST
 * API convention that coturn's `use-auth-secret` checks: the username is
 * `<expiry unix time>:<identity>` and the password is base64(HMAC-SHA1(secret, username)), so
 * the TURN server needs no user database and a credential stops working at its expiry.
 */
export class IceServers {
  constructor(
    private readonly config: IceServerConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** The ICE servers for a peer of `identity`; empty when none are configured. */
  forPeer(identity: string): IceServer[] {
    const servers: IceServer[] = [];
    const { stunUrls, turnUrls, turnSecret, turnCredentialTtlSeconds } = this.config;
    if (stunUrls.length > 0) servers.push({ urls: [...stunUrls] });
    if (turnUrls.length > 0 && turnSecret !== undefined) {
      const expiry = Math.floor(this.now() / 1000) + turnCredentialTtlSeconds;
      // coturn splits the username at the first ':' (its separator), so the identity may hold more.
      const username = `${expiry}:${identity}`;
      const credential = createHmac('sha1', turnSecret).update(username).digest('base64');
      servers.push({ urls: [...turnUrls], username, credential });
    }
    return servers;
  }

  /** The join result's `iceServers` field for a peer: absent, not empty, when none are configured. */
  joinFields(identity: string): { iceServers?: IceServer[] } {
    const servers = this.forPeer(identity);
    return servers.length > 0 ? { iceServers: servers } : {};
  }
}

/** Parses a comma-separated list of ICE server URLs for `flag`, each with one of `schemes`. */
export function parseIceUrls(raw: string, flag: string, schemes: readonly string[]): string[] {
  const urls = raw
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
  for (const url of urls) {
    const scheme = schemes.find((s) => url.startsWith(s));
    if (scheme === undefined || url.length === scheme.length) {
      throw new ServerError('CONFIG_INVALID', `${flag}: "${url}" must be a URL starting with ${schemes.join(' or ')} (e.g. ${schemes[0]}host:3478)`);
    }
  }
  return urls;
}
