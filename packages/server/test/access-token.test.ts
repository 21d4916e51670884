import assert from 'node:assert/strict';
import { decodeJwt, SignJWT } from 'jose';
import { DEFAULT_GRANTS } from '@switchboard/sdk/protocol';
import { AccessToken, verifyToken } from '../src/index.js';

const SECRET = 'backend-token-secret-0123456789';

describe('AccessToken (token builder for backends)', () => {
  it('signs a token that the server verifies, with identity, room, name, metadata, grants and ttl', async () => {
    const before = Math.floor(Date.now() / 1000);
    const jwt = await new AccessToken(SECRET, {
      identity: 'alice',
      room: 'live/test',
      name: 'Alice',
      metadata: { team: 'blue' },
      grants: ['subscribe', 'receiveData'],
      ttlSeconds: 120,
    }).toJwt();
    const verified = await AccessToken.verify(jwt, SECRET);
    assert.equal(verified.identity, 'alice');
    assert.equal(verified.room, 'live/test');
    assert.equal(verified.name, 'Alice');
    assert.deepEqual(verified.metadata, { team: 'blue' });
    assert.deepEqual(verified.grants, { publish: false, subscribe: true, sendData: false, receiveData: true, admin: false, direct: false });
    const expiresAt = verified.expiresAt ?? 0;
    assert.ok(expiresAt >= (before + 120) * 1000 && expiresAt <= Date.now() + 121_000, String(expiresAt));
    // The documented claim form: grants as a list of names, identity in `sub`.
    const claims = decodeJwt(jwt);
    assert.deepEqual(claims.grants, ['subscribe', 'receiveData']);
    assert.equal(claims.sub, 'alice');
  });

  it('gives every grant but admin without grants, none with an empty list, and a one-hour default ttl', async () => {
    const defaults = await AccessToken.verify(await new AccessToken(SECRET, { identity: 'a', room: 'r' }).toJwt(), SECRET);
    assert.deepEqual(defaults.grants, DEFAULT_GRANTS);
    const ttl = (defaults.expiresAt ?? 0) - Date.now();
    assert.ok(ttl > 3590_000 && ttl <= 3600_000, String(ttl));
    const none = await verifyToken(await new AccessToken(SECRET, { identity: 'a', room: 'r', grants: [] }).toJwt(), SECRET);
    assert.ok(Object.values(none.grants).every((granted) => !granted));
  });

  it('refuses bad options with MALFORMED before signing anything', () => {
    const cases: [() => AccessToken, RegExp][] = [
      [() => new AccessToken('short', { identity: 'a', room: 'r' }), /at least 16 characters/],
      [() => new AccessToken(SECRET, { identity: '', room: 'r' }), /identity/],
      [() => new AccessToken(SECRET, { identity: 'a', room: 'r'.repeat(257) }), /room/],
      [() => new AccessToken(SECRET, { identity: 'a', room: 'r', grants: ['fly' as 'publish'] }), /unknown grant "fly"/],
      [() => new AccessToken(SECRET, { identity: 'a', room: 'r', ttlSeconds: 0 }), /ttlSeconds/],
      [() => new AccessToken(SECRET, { identity: 'a', room: 'r', ttlSeconds: 1.5 }), /ttlSeconds/],
      // Two days: the server's default --max-token-ttl is one.
      [() => new AccessToken(SECRET, { identity: 'a', room: 'r', ttlSeconds: 172_800 }), /from 1 to 86400 \(the server's default --max-token-ttl\)/],
      [() => new AccessToken(SECRET, { identity: 'a', room: 'r', ttlSeconds: 7200, maxTtlSeconds: 3600 }), /from 1 to 3600 \(maxTtlSeconds\)/],
      [() => new AccessToken(SECRET, { identity: 'a', room: 'r', maxTtlSeconds: 0 }), /maxTtlSeconds/],
      [() => new AccessToken(SECRET, { identity: 'a', room: 'r', metadata: [] as unknown as Record<string, unknown> }), /metadata/],
    ];
    for (const [build, message] of cases) assert.throws(build, (error: { code?: string; message: string }) => {
      assert.equal(error.code, 'MALFORMED');
      assert.match(error.message, message);
      return true;
    });
  });

  it('signs the longest ttl the server takes by default, and a longer one with maxTtlSeconds, each verified with the matching policy', async () => {
    const day = await new AccessToken(SECRET, { identity: 'a', room: 'r', ttlSeconds: 86_400 }).toJwt();
    assert.equal((await AccessToken.verify(day, SECRET)).identity, 'a');
    const week = await new AccessToken(SECRET, { identity: 'a', room: 'r', ttlSeconds: 604_800, maxTtlSeconds: 604_800 }).toJwt();
    await assert.rejects(AccessToken.verify(week, SECRET), { code: 'INVALID_TOKEN', message: /more than 86400 s ahead/ });
    assert.equal((await AccessToken.verify(week, SECRET, { maxTtlSeconds: 604_800 })).identity, 'a');
  });

  it('verification refuses another secret, an expired token and grants in any form but a list', async () => {
    const jwt = await new AccessToken(SECRET, { identity: 'a', room: 'r' }).toJwt();
    await assert.rejects(AccessToken.verify(jwt, 'another-secret-0123456789'), { code: 'INVALID_TOKEN' });
    const sign = (claims: Record<string, unknown>, exp: number) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('a').setExpirationTime(exp).sign(new TextEncoder().encode(SECRET));
    const now = Math.floor(Date.now() / 1000);
    await assert.rejects(AccessToken.verify(await sign({ room: 'r' }, now - 10), SECRET), { code: 'TOKEN_EXPIRED' });
    await assert.rejects(AccessToken.verify(await sign({ room: 'r', grants: { publish: true } }, now + 60), SECRET), {
      code: 'INVALID_TOKEN',
      message: /"grants" must be a list of grant names/,
    });
  });

  it('uses the secret as its UTF-8 bytes, so any HS256 library given the same string interoperates', async () => {
    const secret = 'sécret-with-ünicode-0123456789';
    const jwt = await new SignJWT({ room: 'r', grants: ['admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('ops')
      .setExpirationTime('1m')
      .sign(Buffer.from(secret, 'utf8'));
    const verified = await AccessToken.verify(jwt, secret);
    assert.equal(verified.identity, 'ops');
    assert.equal(verified.grants.admin, true);
  });
});
