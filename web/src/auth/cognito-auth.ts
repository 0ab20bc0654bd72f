// web: Cognito sign-in with USER_PASSWORD_AUTH over plain fetch (no SDK): new password, TOTP code and TOTP set-up
import type { CognitoConfig } from '../config';
import { jwtClaims, jwtExpiry, type Auth, type Session, type SignInResult } from './auth';
import { normalizeTotpCode, otpauthUri } from './mfa-challenge';
import { loadSession, saveSession } from './session-store';

const SKEW_MS = 60_000;
/** The name authenticator apps show beside the account. */
const ISSUER = 'sesdesk';

interface AuthenticationResult {
  IdToken: string;
  RefreshToken?: string;
}

interface CognitoAnswer {
  AuthenticationResult?: AuthenticationResult;
  ChallengeName?: string;
  ChallengeParameters?: Record<string, string>;
  Session?: string;
  /** AssociateSoftwareToken */
  SecretCode?: string;
  /** VerifySoftwareToken */
  Status?: string;
}

type CognitoAction = 'InitiateAuth' | 'RespondToAuthChallenge' | 'AssociateSoftwareToken' | 'VerifySoftwareToken';

const WRONG_CODE = 'That code is not right. Enter the code your authenticator app shows now (check the time on your phone).';
/** Cognito's own messages are written for users, mostly; these say better what to do. */
const FRIENDLIER: Record<string, string> = {
  CodeMismatchException: WRONG_CODE,
  EnableSoftwareTokenMFAException: WRONG_CODE,
  ExpiredCodeException: 'That code has expired. Enter the one your authenticator app shows now.',
};

/**
 * Creates the Cognito sign-in. The API's JWT authorizer reads `email` and `cognito:groups`, which only
 * the ID token carries, so the ID token is the bearer token.
 */
export function createCognitoAuth(config: CognitoConfig): Auth {
  const endpoint = `https://cognito-idp.${config.region}.amazonaws.com/`;

  async function cognito(action: CognitoAction, body: Record<string, unknown>): Promise<CognitoAnswer> {
    // The two software-token calls are authorized by the challenge session; they take no client id.
    const withClient = action === 'InitiateAuth' || action === 'RespondToAuthChallenge' ? { ClientId: config.userPoolClientId } : {};
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify({ ...withClient, ...body }),
    });
    const json = (await response.json().catch(() => ({}))) as CognitoAnswer & { __type?: string; message?: string };
    if (!response.ok) {
      const type = (json.__type ?? '').split('#').pop() ?? '';
      throw new Error(FRIENDLIER[type] ?? json.message ?? `Sign-in failed (${type || response.status}).`);
    }
    return json;
  }

  function toSession(result: AuthenticationResult, refreshToken?: string): Session {
    const claims = jwtClaims(result.IdToken);
    const email = typeof claims.email === 'string' ? claims.email : '';
    const session: Session = {
      email,
      name: typeof claims.name === 'string' ? claims.name : email,
      token: result.IdToken,
      expiresAt: jwtExpiry(result.IdToken, Date.now()),
      refreshToken: result.RefreshToken ?? refreshToken,
    };
    saveSession(session);
    return session;
  }

  /** Answers a challenge by name with the given responses, and goes on with whatever Cognito asks next. */
  async function respond(answer: CognitoAnswer, user: string, name: string, responses: Record<string, string>): Promise<SignInResult> {
    const next = await cognito('RespondToAuthChallenge', {
      ChallengeName: name,
      Session: answer.Session,
      ChallengeResponses: { USERNAME: user, ...responses },
    });
    return outcome(next, user);
  }

  /** What Cognito's answer means for the sign-in form: a session, or the next step to show. */
  async function outcome(answer: CognitoAnswer, username: string): Promise<SignInResult> {
    if (answer.AuthenticationResult) return { kind: 'signed-in', session: toSession(answer.AuthenticationResult) };
    const user = answer.ChallengeParameters?.USER_ID_FOR_SRP ?? username;
    switch (answer.ChallengeName) {
      case 'NEW_PASSWORD_REQUIRED':
        return {
          kind: 'new-password-required',
          complete: (newPassword) => respond(answer, user, 'NEW_PASSWORD_REQUIRED', { NEW_PASSWORD: newPassword }),
        };
      case 'SOFTWARE_TOKEN_MFA':
        return {
          kind: 'mfa-code-required',
          submit: async (code) => respond(answer, user, 'SOFTWARE_TOKEN_MFA', { SOFTWARE_TOKEN_MFA_CODE: normalizeTotpCode(code) }),
        };
      case 'MFA_SETUP': {
        // Each call hands back a new session for the next one: associate, verify the first code, then answer MFA_SETUP.
        const associated = await cognito('AssociateSoftwareToken', { Session: answer.Session });
        if (!associated.SecretCode) throw new Error('Cognito did not return a secret for the authenticator app; sign in again.');
        return {
          kind: 'mfa-setup-required',
          secret: associated.SecretCode,
          otpauthUri: otpauthUri(associated.SecretCode, username, ISSUER),
          verify: async (code) => {
            const verified = await cognito('VerifySoftwareToken', {
              Session: associated.Session,
              UserCode: normalizeTotpCode(code),
              FriendlyDeviceName: ISSUER,
            });
            if (verified.Status !== 'SUCCESS') throw new Error(WRONG_CODE);
            return respond(verified, user, 'MFA_SETUP', {});
          },
        };
      }
      default:
        throw new Error(`Cognito asked for a step this dashboard does not support (${answer.ChallengeName ?? 'none'}).`);
    }
  }

  return {
    kind: 'cognito',
    secretLabel: 'Password',
    current: loadSession,
    async token() {
      const session = loadSession();
      if (!session) return null;
      if (session.expiresAt - SKEW_MS > Date.now()) return session.token;
      if (!session.refreshToken) return null;
      try {
        const answer = await cognito('InitiateAuth', {
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: session.refreshToken },
        });
        return answer.AuthenticationResult ? toSession(answer.AuthenticationResult, session.refreshToken).token : null;
      } catch {
        saveSession(null);
        return null;
      }
    },
    async signIn(email, password) {
      const username = email.trim();
      const answer = await cognito('InitiateAuth', {
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: password },
      });
      return outcome(answer, username);
    },
    signOut: () => saveSession(null),
  };
}
