// test support: a stand-in for Cognito's user pool JSON API (password, new password, TOTP sign-in and set-up) and a TOTP app
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOOPBACK } from '../../bin/local/ports';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Decode(text: string): Buffer {
  const bits = [...text.replace(/[\s=]/g, '').toUpperCase()].map((c) => BASE32.indexOf(c).toString(2).padStart(5, '0')).join('');
  return Buffer.from(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
}

function base32Encode(bytes: Buffer): string {
  const bits = [...bytes].map((b) => b.toString(2).padStart(8, '0')).join('');
  return bits
    .match(/.{1,5}/g)!
    .map((chunk) => BASE32[parseInt(chunk.padEnd(5, '0'), 2)])
    .join('');
}

/** What an authenticator app shows for `secret` at `at` (RFC 6238: HMAC-SHA1, 30 s, 6 digits). */
export function totp(secret: string, at = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** Codes a server accepts now: this 30 s step and the ones beside it, for clock drift (Cognito does the same). */
function acceptedCodes(secret: string): string[] {
  const now = Date.now();
  return [now - 30_000, now, now + 30_000].map((at) => totp(secret, at));
}

export interface StubUser {
  readonly email: string;
  readonly name: string;
  password: string;
  /** Admin-created users must pick a new password first (Cognito's FORCE_CHANGE_PASSWORD). */
  mustChangePassword: boolean;
  /** The enrolled TOTP secret, if any. */
  totpSecret?: string;
}

type Step = { user: StubUser; stage: 'new-password' | 'mfa-code' | 'mfa-setup' | 'mfa-verified'; pendingSecret?: string };

/** The answer to one request: an HTTP status and Cognito's JSON (errors carry `__type` and `message`). */
export interface StubAnswer {
  readonly status: number;
  readonly json: Record<string, unknown>;
}

/**
 * Cognito's `AWSCognitoIdentityProviderService.*` actions the web app calls, over an in-memory pool: sessions are
 * single use, as Cognito's are, and ID tokens are unsigned JWTs the stub can recognise (`claimsOf`).
 */
export class CognitoStub {
  readonly users = new Map<string, StubUser>();
  readonly calls: string[] = [];
  private readonly sessions = new Map<string, Step>();
  private readonly tokens = new Map<string, Record<string, unknown>>();

  constructor(readonly options: { mfa: 'optional' | 'required'; clientId: string }) {}

  addUser(user: StubUser): StubUser {
    this.users.set(user.email, user);
    return user;
  }

  /** The claims of an ID token this stub issued, or null (a forged or unknown token). */
  claimsOf(token: string): Record<string, unknown> | null {
    return this.tokens.get(token) ?? null;
  }

  handle(target: string, body: Record<string, unknown>): StubAnswer {
    const action = target.replace('AWSCognitoIdentityProviderService.', '');
    this.calls.push(action);
    const fail = (type: string, message: string, status = 400): StubAnswer => ({ status, json: { __type: type, message } });
    const step = typeof body.Session === 'string' ? this.sessions.get(body.Session) : undefined;
    // A session answers one step; a wrong code leaves it for another try.
    const done = (answer: StubAnswer): StubAnswer => {
      if (typeof body.Session === 'string') this.sessions.delete(body.Session);
      return answer;
    };
    const needsClient = action === 'InitiateAuth' || action === 'RespondToAuthChallenge';
    if (needsClient && body.ClientId !== this.options.clientId)
      return fail('ResourceNotFoundException', 'User pool client does not exist.');

    switch (action) {
      case 'InitiateAuth': {
        const params = body.AuthParameters as Record<string, string>;
        const user = this.users.get(params.USERNAME ?? '');
        if (body.AuthFlow !== 'USER_PASSWORD_AUTH' || !user || user.password !== params.PASSWORD) {
          return fail('NotAuthorizedException', 'Incorrect username or password.');
        }
        return user.mustChangePassword ? this.challenge(user, 'new-password', 'NEW_PASSWORD_REQUIRED') : this.afterPassword(user);
      }
      case 'RespondToAuthChallenge': {
        if (!step) return fail('NotAuthorizedException', 'Invalid session for the user, session is expired.');
        const responses = body.ChallengeResponses as Record<string, string>;
        if (responses.USERNAME !== step.user.email) return fail('NotAuthorizedException', 'Incorrect username or password.');
        if (body.ChallengeName === 'NEW_PASSWORD_REQUIRED' && step.stage === 'new-password') {
          step.user.password = responses.NEW_PASSWORD ?? '';
          step.user.mustChangePassword = false;
          return done(this.afterPassword(step.user));
        }
        if (body.ChallengeName === 'SOFTWARE_TOKEN_MFA' && step.stage === 'mfa-code') {
          if (!acceptedCodes(step.user.totpSecret!).includes(responses.SOFTWARE_TOKEN_MFA_CODE ?? '')) {
            return fail('CodeMismatchException', 'Invalid code received for user');
          }
          return done(this.signedIn(step.user));
        }
        if (body.ChallengeName === 'MFA_SETUP' && step.stage === 'mfa-verified') return done(this.signedIn(step.user));
        return fail('InvalidParameterException', `Unexpected challenge ${String(body.ChallengeName)}`);
      }
      case 'AssociateSoftwareToken': {
        if (!step || step.stage !== 'mfa-setup') return fail('NotAuthorizedException', 'Invalid session for the user.');
        const secret = base32Encode(randomBytes(20));
        return done({ status: 200, json: { SecretCode: secret, Session: this.session({ ...step, pendingSecret: secret }) } });
      }
      case 'VerifySoftwareToken': {
        if (!step?.pendingSecret) return fail('NotAuthorizedException', 'Invalid session for the user.');
        if (!acceptedCodes(step.pendingSecret).includes(String(body.UserCode)))
          return fail('EnableSoftwareTokenMFAException', 'Code mismatch');
        step.user.totpSecret = step.pendingSecret;
        return done({ status: 200, json: { Status: 'SUCCESS', Session: this.session({ user: step.user, stage: 'mfa-verified' }) } });
      }
      default:
        return fail('UnknownOperationException', action);
    }
  }

  /** Serves {@link handle} over HTTP with Cognito's CORS answers; resolves to its base URL. */
  async listen(): Promise<{ url: string; close(): Promise<void> }> {
    const server: Server = createServer((request, response) => {
      const cors = {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'content-type, x-amz-target, x-amz-user-agent',
      };
      if (request.method === 'OPTIONS') return void response.writeHead(204, cors).end();
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const answer = this.handle(String(request.headers['x-amz-target'] ?? ''), JSON.parse(Buffer.concat(chunks).toString() || '{}'));
        response.writeHead(answer.status, { ...cors, 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(answer.json));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
    return {
      url: `http://${LOOPBACK}:${(server.address() as AddressInfo).port}/`,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }

  private afterPassword(user: StubUser): StubAnswer {
    if (user.totpSecret) return this.challenge(user, 'mfa-code', 'SOFTWARE_TOKEN_MFA');
    if (this.options.mfa === 'required') return this.challenge(user, 'mfa-setup', 'MFA_SETUP');
    return this.signedIn(user);
  }

  private challenge(user: StubUser, stage: Step['stage'], name: string): StubAnswer {
    return {
      status: 200,
      json: { ChallengeName: name, Session: this.session({ user, stage }), ChallengeParameters: { USER_ID_FOR_SRP: user.email } },
    };
  }

  private session(step: Step): string {
    const id = randomUUID();
    this.sessions.set(id, step);
    return id;
  }

  private signedIn(user: StubUser): StubAnswer {
    const claims = { email: user.email, name: user.name, 'cognito:groups': ['team'], exp: Math.floor(Date.now() / 1000) + 3600 };
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const idToken = `${part({ alg: 'none' })}.${part(claims)}.${randomUUID()}`;
    this.tokens.set(idToken, claims);
    return { status: 200, json: { AuthenticationResult: { IdToken: idToken, RefreshToken: randomUUID(), AccessToken: randomUUID() } } };
  }
}
