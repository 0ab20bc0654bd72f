// core: the local stack's HS256 tokens, shaped like the Cognito ID tokens API Gateway verifies in AWS
import { SignJWT, jwtVerify, type JWTPayload } from 'jose';
import type { TeamMember } from '../config/desk-config';
import { TEAM_GROUP } from './auth';

export const LOCAL_ISSUER = 'sesdesk-local';
export const LOCAL_AUDIENCE = 'sesdesk-dashboard';
/** A working day; the dashboard signs in again after it. */
export const LOCAL_TOKEN_LIFETIME_SECONDS = 12 * 60 * 60;

/** The claims of a verified local token. */
export type LocalClaims = JWTPayload & { email: string; name: string; 'cognito:groups': string[] };

function key(secret: string): Uint8Array {
  if (secret.length < 32) throw new Error('the local token secret must have at least 32 characters');
  return new TextEncoder().encode(secret);
}

/**
 * Signs a 12-hour token for a team member.
 * @example const token = await issueLocalToken(secret, { email: 'agent@desk.localhost', name: 'Ada Agent' });
 */
export async function issueLocalToken(secret: string, member: TeamMember, now: Date = new Date()): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ email: member.email, name: member.name, 'cognito:groups': [TEAM_GROUP] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(member.email)
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + LOCAL_TOKEN_LIFETIME_SECONDS)
    .sign(key(secret));
}

/**
 * Checks signature, algorithm, issuer, audience and lifetime, as API Gateway's JWT authorizer does.
 * @returns the claims, or null for any token that fails a check.
 */
export async function verifyLocalToken(secret: string, token: string, now: Date = new Date()): Promise<LocalClaims | null> {
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      algorithms: ['HS256'],
      issuer: LOCAL_ISSUER,
      audience: LOCAL_AUDIENCE,
      currentDate: now,
      requiredClaims: ['exp', 'iat', 'email'],
    });
    if (typeof payload.email !== 'string') return null;
    const groups = Array.isArray(payload['cognito:groups']) ? payload['cognito:groups'].map(String) : [];
    return { ...payload, email: payload.email, name: typeof payload.name === 'string' ? payload.name : '', 'cognito:groups': groups };
  } catch {
    return null;
  }
}
