// web unit: Cognito sign-in answers NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA and MFA_SETUP (a Cognito stand-in behind fetch)
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SignInResult } from '../../web/src/auth/auth';
import { createCognitoAuth } from '../../web/src/auth/cognito-auth';
import { normalizeTotpCode, otpauthUri } from '../../web/src/auth/mfa-challenge';
import { CognitoStub, totp } from '../support/cognito-stub';

const CONFIG = { auth: 'cognito', apiUrl: '', region: 'eu-west-1', userPoolId: 'eu-west-1_Test', userPoolClientId: 'web-client' } as const;

/** fetch, as the browser would make it, answered by the stub; every request is kept. */
function stubFetch(stub: CognitoStub) {
  const requests: { url: string; target: string; body: Record<string, unknown> }[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    const headers = init.headers as Record<string, string>;
    const body = JSON.parse(init.body as string) as Record<string, unknown>;
    requests.push({ url, target: headers['x-amz-target']!, body });
    const answer = stub.handle(headers['x-amz-target']!, body);
    return new Response(JSON.stringify(answer.json), { status: answer.status });
  });
  return requests;
}

function expectKind<K extends SignInResult['kind']>(result: SignInResult, kind: K): Extract<SignInResult, { kind: K }> {
  expect(result.kind).toBe(kind);
  return result as Extract<SignInResult, { kind: K }>;
}

describe('Cognito sign-in with two-factor authentication', () => {
  beforeEach(() => {
    const store = new Map<string, string>();
    vi.stubGlobal('localStorage', {
      getItem: (key: string) => store.get(key) ?? null,
      setItem: (key: string, value: string) => void store.set(key, value),
      removeItem: (key: string) => void store.delete(key),
    });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('sets up a TOTP app at the first sign-in when MFA is required: new password, secret, first code, session', async () => {
    // Arrange
    const stub = new CognitoStub({ mfa: 'required', clientId: 'web-client' });
    const ada = stub.addUser({ email: 'ada@example.com', name: 'Ada Agent', password: 'Temp-Pass-123!', mustChangePassword: true });
    const requests = stubFetch(stub);
    const auth = createCognitoAuth(CONFIG);

    // Act
    const first = expectKind(await auth.signIn(' ada@example.com ', 'Temp-Pass-123!'), 'new-password-required');
    const setup = expectKind(await first.complete('A-new-Passw0rd!'), 'mfa-setup-required');
    await expect(setup.verify('000000')).rejects.toThrow(/That code is not right/);
    const done = expectKind(await setup.verify(totp(setup.secret).replace(/(...)/, '$1 ')), 'signed-in');

    // Assert
    expect(ada.totpSecret).toBe(setup.secret);
    expect(setup.otpauthUri).toBe(otpauthUri(setup.secret, 'ada@example.com', 'sesdesk'));
    expect(done.session).toMatchObject({ email: 'ada@example.com', name: 'Ada Agent' });
    expect(auth.current()?.token).toBe(done.session.token);
    expect(stub.claimsOf(done.session.token)).toMatchObject({ email: 'ada@example.com' });
    expect(requests.map((r) => r.target.split('.')[1])).toEqual([
      'InitiateAuth',
      'RespondToAuthChallenge',
      'AssociateSoftwareToken',
      'VerifySoftwareToken',
      'VerifySoftwareToken',
      'RespondToAuthChallenge',
    ]);
    expect(requests.every((r) => r.url === 'https://cognito-idp.eu-west-1.amazonaws.com/')).toBe(true);
    // The token calls are authorized by the challenge session alone; the others name the app client.
    expect(requests.filter((r) => 'ClientId' in r.body).map((r) => r.target.split('.')[1])).toEqual([
      'InitiateAuth',
      'RespondToAuthChallenge',
      'RespondToAuthChallenge',
    ]);
    expect(requests.at(-1)!.body).toMatchObject({ ChallengeName: 'MFA_SETUP', ChallengeResponses: { USERNAME: 'ada@example.com' } });
  });

  it('asks an enrolled member for the code at every sign-in, and refuses a wrong one with a message to act on', async () => {
    const stub = new CognitoStub({ mfa: 'optional', clientId: 'web-client' });
    stub.addUser({
      email: 'bo@example.com',
      name: 'Bo',
      password: 'Pw-0123456789!',
      mustChangePassword: false,
      totpSecret: 'JBSWY3DPEHPK3PXP',
    });
    stubFetch(stub);
    const auth = createCognitoAuth(CONFIG);

    const step = expectKind(await auth.signIn('bo@example.com', 'Pw-0123456789!'), 'mfa-code-required');

    await expect(step.submit('123')).rejects.toThrow('Enter the 6-digit code your authenticator app shows.');
    await expect(step.submit(totp('JBSWY3DPEHPK3PXP', Date.now() - 120_000))).rejects.toThrow(/That code is not right/);
    expect(expectKind(await step.submit(totp('JBSWY3DPEHPK3PXP')), 'signed-in').session.email).toBe('bo@example.com');
  });

  it('signs a member without MFA straight in when MFA is optional', async () => {
    const stub = new CognitoStub({ mfa: 'optional', clientId: 'web-client' });
    stub.addUser({ email: 'cy@example.com', name: 'Cy', password: 'Pw-0123456789!', mustChangePassword: false });
    stubFetch(stub);

    expect((await createCognitoAuth(CONFIG).signIn('cy@example.com', 'Pw-0123456789!')).kind).toBe('signed-in');
  });

  it("passes Cognito's message on for a wrong password, and names a step it does not support", async () => {
    const stub = new CognitoStub({ mfa: 'optional', clientId: 'web-client' });
    stubFetch(stub);
    const auth = createCognitoAuth(CONFIG);
    await expect(auth.signIn('nobody@example.com', 'x')).rejects.toThrow('Incorrect username or password.');

    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ ChallengeName: 'SMS_MFA', Session: 's' })));
    await expect(auth.signIn('a@example.com', 'x')).rejects.toThrow('Cognito asked for a step this dashboard does not support (SMS_MFA).');
  });
});

describe('TOTP helpers', () => {
  it('accepts six digits with the spaces or dashes people type, and nothing else', () => {
    expect(normalizeTotpCode(' 123 456 ')).toBe('123456');
    expect(normalizeTotpCode('123-456')).toBe('123456');
    for (const bad of ['12345', '1234567', 'abcdef', '']) expect(() => normalizeTotpCode(bad)).toThrow(/6-digit code/);
  });

  it('builds the Key URI authenticator apps read', () => {
    expect(otpauthUri('JBSWY3DPEHPK3PXP', 'ada+desk@example.com', 'sesdesk')).toBe(
      'otpauth://totp/sesdesk:ada%2Bdesk%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=sesdesk&algorithm=SHA1&digits=6&period=30',
    );
  });

  it('computes the RFC 6238 test vector (the stub stands in for the authenticator app)', () => {
    // RFC 6238 appendix B: SHA-1 key "12345678901234567890" at 59 s gives 94287082 (8 digits); 6 digits: 287082.
    expect(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59_000)).toBe('287082');
  });
});
