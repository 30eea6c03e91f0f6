import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, createHmac, createPrivateKey } from 'node:crypto';
import { signJws } from '../support/auth-fixtures.js';
import { databaseEnv, startClarityProcess, type ClarityProcess } from '../support/clarity-process.js';
import { connect, metricValue } from '../support/socket-client.js';

/**
 * The token table of the handshake against a started Clarity configured for
 * RS256 with issuer and audience: every refusal is connect_error "Unauthorized"
 * with data.code UNAUTHORIZED and never becomes a connection.
 */
describe('handshake token table (RS256, issuer and audience configured)', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const ISSUER = 'https://portal.example.com';
  const AUDIENCE = 'clarity';
  let clarity: ClarityProcess;
  let cleanup: () => Promise<void>;

  const now = () => Math.floor(Date.now() / 1000);
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  async function rs256(
    claims: Record<string, unknown> = {},
    {
      key = privatePem,
      iss = ISSUER,
      aud = AUDIENCE,
      exp = now() + 3600,
      nbf,
    }: { key?: string; iss?: string; aud?: string; exp?: number; nbf?: number } = {},
  ): Promise<string> {
    const payload = { ...claims, sub: 'alice', iss, aud, exp, ...(nbf !== undefined ? { nbf } : {}) };
    return signJws({ alg: 'RS256' }, payload, createPrivateKey(key));
  }

  before(async () => {
    const db = await databaseEnv();
    cleanup = db.cleanup;
    clarity = await startClarityProcess({
      ...db.env,
      JWT_SECRET: undefined,
      JWT_PUBLIC_KEY: publicPem,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
    });
  });

  after(async () => {
    assert.equal((await clarity.stop()).code, 0, clarity.output());
    await cleanup();
  });

  async function refused(options: Parameters<typeof connect>[1]): Promise<void> {
    const error = await connect(clarity.url, options).then(
      (socket) => {
        socket.close();
        assert.fail('the handshake should be refused');
      },
      (e: Error & { data?: { code?: string } }) => e,
    );
    assert.equal(error.message, 'Unauthorized');
    assert.equal(error.data?.code, 'UNAUTHORIZED');
  }

  test('a valid RS256 token with the right issuer and audience connects, in auth.token or a Bearer header', async () => {
    const token = await rs256();
    const a = await connect(clarity.url, { token });
    const b = await connect(clarity.url, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(a.connected && b.connected, true);
    a.close();
    b.close();
  });

  test('no token', () => refused({}));
  test('expired beyond the clock tolerance', async () => refused({ token: await rs256({}, { exp: now() - 3600 }) }));
  test('not yet valid', async () => refused({ token: await rs256({}, { nbf: now() + 3600 }) }));
  test('signed with another key', async () => refused({ token: await rs256({}, { key: other }) }));
  test('wrong issuer', async () => refused({ token: await rs256({}, { iss: 'https://evil.example.com' }) }));
  test('wrong audience', async () => refused({ token: await rs256({}, { aud: 'someone-else' }) }));

  test('tampered payload (sub changed after signing)', async () => {
    const [header, , signature] = (await rs256()).split('.');
    const payload = b64({ sub: 'mallory', iss: ISSUER, aud: AUDIENCE, exp: now() + 3600 });
    await refused({ token: `${header}.${payload}.${signature}` });
  });

  test('alg none', () =>
    refused({
      token: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'mallory', iss: ISSUER, aud: AUDIENCE, exp: now() + 3600 })}.`,
    }));

  test('HS256/RS256 confusion: HS256 signed with the public key text', async () => {
    const header = b64({ alg: 'HS256', typ: 'JWT' });
    const payload = b64({ sub: 'mallory', iss: ISSUER, aud: AUDIENCE, exp: now() + 3600 });
    const signature = createHmac('sha256', publicPem).update(`${header}.${payload}`).digest('base64url');
    await refused({ token: `${header}.${payload}.${signature}` });
  });

  test('refusals are counted as rejected_auth', async () => {
    const count = await metricValue(clarity.url, 'clarity_websocket_connections_total', '{status="rejected_auth"}');
    assert.ok((count ?? 0) >= 9, `rejected_auth = ${count}`);
  });
});
