import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { loadConfig } from '../src/config.js';
import { IceServers } from '../src/ice/ice-servers.js';

const SECRET = 'coturn-static-auth-secret';
const NOW = Date.UTC(2026, 0, 1);

describe('ICE servers handed to clients', () => {
  it('gives STUN URLs as they are and TURN URLs with TURN REST API credentials that expire', () => {
    const ice = new IceServers(
      { stunUrls: ['stun:turn.example.com:3478'], turnUrls: ['turn:turn.example.com:3478', 'turns:turn.example.com:443?transport=tcp'], turnSecret: SECRET, turnCredentialTtlSeconds: 600 },
      () => NOW,
    );
    const [stun, turn] = ice.forPeer('alice:with:colons');
    assert.deepEqual(stun, { urls: ['stun:turn.example.com:3478'] });
    const expiry = NOW / 1000 + 600;
    assert.equal(turn?.username, `${expiry}:alice:with:colons`);
    // coturn's use-auth-secret: base64(HMAC-SHA1(static-auth-secret, username)).
    assert.equal(turn?.credential, createHmac('sha1', SECRET).update(`${expiry}:alice:with:colons`).digest('base64'));
    assert.deepEqual(turn?.urls, ['turn:turn.example.com:3478', 'turns:turn.example.com:443?transport=tcp']);
    assert.deepEqual(Object.keys(ice.joinFields('bob')), ['iceServers']);
  });

  it('leaves iceServers out of the join result when none are configured', () => {
    const ice = new IceServers(loadConfig(['--dev'], {}));
    assert.deepEqual(ice.forPeer('alice'), []);
    assert.deepEqual(ice.joinFields('alice'), {});
  });

  it('is configured by flags, refusing TURN without its secret and URLs of the wrong scheme', () => {
    const config = loadConfig(['--dev', '--turn-urls', 'turn:127.0.0.1:3478', '--turn-secret', SECRET, '--stun-urls', 'stun:127.0.0.1:3478'], {});
    assert.deepEqual(config.turnUrls, ['turn:127.0.0.1:3478']);
    assert.equal(config.turnCredentialTtlSeconds, 86400);
    assert.throws(() => loadConfig(['--dev', '--turn-urls', 'turn:127.0.0.1:3478'], {}), { code: 'CONFIG_INVALID', message: /--turn-secret/ });
    assert.throws(() => loadConfig(['--dev', '--turn-urls', 'http://x'], {}), { code: 'CONFIG_INVALID', message: /turn: or turns:/ });
    assert.throws(() => loadConfig(['--dev', '--stun-urls', 'turn:x'], {}), { code: 'CONFIG_INVALID', message: /stun: or stuns:/ });
  });
});
