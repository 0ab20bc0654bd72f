// core: who may call the dashboard API, and the local stack's tokens
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { agentFromClaims } from '../../../functions/core/api/auth';
import { ForbiddenError, UnauthenticatedError } from '../../../functions/core/api/errors';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, issueLocalToken, verifyLocalToken } from '../../../functions/core/api/local-auth';
import { DEFAULT_DESK_CONFIG } from '../../../functions/core/config/desk-config';
import { TEST_SECRET } from '../../support/secret';

const secret = TEST_SECRET;
const member = { email: 'agent@desk.localhost', name: 'Ada Agent' };

describe('agentFromClaims', () => {
  it('accepts a member listed in the configuration and takes the name from it', () => {
    expect(agentFromClaims(DEFAULT_DESK_CONFIG, { email: 'Agent@Desk.localhost' })).toEqual(member);
  });

  it('accepts a Cognito user in the team group as API Gateway renders the groups claim', () => {
    const agent = agentFromClaims(DEFAULT_DESK_CONFIG, { email: 'bo@example.com', 'cognito:groups': '[admins team]' });
    expect(agent).toEqual({ email: 'bo@example.com', name: 'bo' });
  });

  it('accepts the groups claim as an array too', () => {
    expect(agentFromClaims(DEFAULT_DESK_CONFIG, { email: 'bo@example.com', name: 'Bo', 'cognito:groups': ['team'] }).name).toBe('Bo');
  });

  it('refuses a signed-in user outside the team with ForbiddenError', () => {
    expect(() => agentFromClaims(DEFAULT_DESK_CONFIG, { email: 'eve@example.com', 'cognito:groups': '[teams]' })).toThrow(ForbiddenError);
  });

  it('refuses claims without an email with UnauthenticatedError', () => {
    expect(() => agentFromClaims(DEFAULT_DESK_CONFIG, { sub: 'x' })).toThrow(UnauthenticatedError);
    expect(() => agentFromClaims(DEFAULT_DESK_CONFIG, undefined)).toThrow(UnauthenticatedError);
  });
});

describe('local tokens', () => {
  it('verifies a token it issued and carries email, name and the team group', async () => {
    const claims = await verifyLocalToken(secret, await issueLocalToken(secret, member));
    expect(claims).toMatchObject({
      email: member.email,
      name: member.name,
      'cognito:groups': ['team'],
      iss: LOCAL_ISSUER,
      aud: LOCAL_AUDIENCE,
    });
    expect(claims!.exp! - claims!.iat!).toBe(12 * 60 * 60);
  });

  it('rejects an expired token', async () => {
    const token = await issueLocalToken(secret, member, new Date(Date.now() - 13 * 60 * 60 * 1000));
    expect(await verifyLocalToken(secret, token)).toBeNull();
  });

  it('rejects a token signed with another secret', async () => {
    expect(await verifyLocalToken(secret, await issueLocalToken('b'.repeat(64), member))).toBeNull();
  });

  it('rejects a token whose payload was changed after signing', async () => {
    const [header, payload, signature] = (await issueLocalToken(secret, member)).split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), email: 'eve@example.com' }),
    ).toString('base64url');
    expect(await verifyLocalToken(secret, `${header}.${forged}.${signature}`)).toBeNull();
  });

  it('rejects a token for another audience or issuer', async () => {
    const key = new TextEncoder().encode(secret);
    const sign = (issuer: string, audience: string) =>
      new SignJWT({ email: member.email })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(key);
    expect(await verifyLocalToken(secret, await sign(LOCAL_ISSUER, 'someone-else'))).toBeNull();
    expect(await verifyLocalToken(secret, await sign('someone-else', LOCAL_AUDIENCE))).toBeNull();
    expect(await verifyLocalToken(secret, await sign(LOCAL_ISSUER, LOCAL_AUDIENCE))).not.toBeNull();
  });

  it('rejects an unsigned token', async () => {
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ email: member.email, iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, exp: 9999999999, iat: 1 })).toString('base64url')}.`;
    expect(await verifyLocalToken(secret, none)).toBeNull();
  });
});
