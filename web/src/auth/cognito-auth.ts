// web: Cognito sign-in with USER_PASSWORD_AUTH over plain fetch (no SDK), incl. the first-sign-in new password
import type { CognitoConfig } from '../config';
import { jwtClaims, jwtExpiry, type Auth, type Session, type SignInResult } from './auth';
import { loadSession, saveSession } from './session-store';

const SKEW_MS = 60_000;

interface AuthenticationResult {
  IdToken: string;
  RefreshToken?: string;
}

interface CognitoAnswer {
  AuthenticationResult?: AuthenticationResult;
  ChallengeName?: string;
  ChallengeParameters?: Record<string, string>;
  Session?: string;
}

/**
 * Creates the Cognito sign-in. The API's JWT authorizer reads `email` and `cognito:groups`, which only
 * the ID token carries, so the ID token is the bearer token.
 */
export function createCognitoAuth(config: CognitoConfig): Auth {
  const endpoint = `https://cognito-idp.${config.region}.amazonaws.com/`;

  async function cognito(action: 'InitiateAuth' | 'RespondToAuthChallenge', body: Record<string, unknown>): Promise<CognitoAnswer> {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify({ ClientId: config.userPoolClientId, ...body }),
    });
    const json = (await response.json().catch(() => ({}))) as CognitoAnswer & { __type?: string; message?: string };
    // Cognito's messages ("Incorrect username or password.") are written for users; the exception name is not.
    if (!response.ok) throw new Error(json.message ?? `Sign-in failed (${json.__type ?? response.status}).`);
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

  function outcome(answer: CognitoAnswer, username: string): SignInResult {
    if (answer.AuthenticationResult) return { kind: 'signed-in', session: toSession(answer.AuthenticationResult) };
    if (answer.ChallengeName === 'NEW_PASSWORD_REQUIRED') {
      const challengeUser = answer.ChallengeParameters?.USER_ID_FOR_SRP ?? username;
      return {
        kind: 'new-password-required',
        async complete(newPassword) {
          const next = await cognito('RespondToAuthChallenge', {
            ChallengeName: 'NEW_PASSWORD_REQUIRED',
            Session: answer.Session,
            ChallengeResponses: { USERNAME: challengeUser, NEW_PASSWORD: newPassword },
          });
          if (!next.AuthenticationResult)
            throw new Error(`Cognito asked for another step (${next.ChallengeName ?? 'unknown'}), which this dashboard does not support.`);
          return toSession(next.AuthenticationResult);
        },
      };
    }
    throw new Error(`Cognito asked for a step this dashboard does not support (${answer.ChallengeName ?? 'none'}).`);
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
