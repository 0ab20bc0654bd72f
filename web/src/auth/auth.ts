// web: what sign-in looks like to the app, whichever identity provider is behind it
import type { MfaChallenge } from './mfa-challenge';
/** A signed-in team member and the bearer token the API accepts. */
export interface Session {
  readonly email: string;
  readonly name: string;
  readonly token: string;
  /** Epoch milliseconds after which the token is refused. */
  readonly expiresAt: number;
  /** Cognito only: exchanges for a fresh token without asking again. */
  readonly refreshToken?: string;
}

/** Admin-created Cognito users must choose a password at their first sign-in (a further step may follow). */
export interface NewPasswordChallenge {
  readonly kind: 'new-password-required';
  complete(newPassword: string): Promise<SignInResult>;
}

export type SignInResult = { readonly kind: 'signed-in'; readonly session: Session } | NewPasswordChallenge | MfaChallenge;

export interface Auth {
  readonly kind: 'local' | 'cognito';
  /** Label of the secret field: the local sign-in code or a password. */
  readonly secretLabel: string;
  /** The stored session, if any (it may have expired). */
  current(): Session | null;
  /** A token valid for at least a minute, refreshing when possible; null when the user must sign in. */
  token(): Promise<string | null>;
  /** @throws Error with a message fit for the sign-in form. */
  signIn(email: string, secret: string): Promise<SignInResult>;
  signOut(): void;
}

/** Claims of a JWT payload, unverified: the server verifies; the app only reads expiry and names. */
export function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) return {};
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Expiry of a JWT in epoch milliseconds; an hour from `now` when the token carries none. */
export function jwtExpiry(token: string, now: number): number {
  const exp = jwtClaims(token).exp;
  return typeof exp === 'number' ? exp * 1000 : now + 3_600_000;
}
