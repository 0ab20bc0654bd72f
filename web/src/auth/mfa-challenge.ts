// web: the two-factor steps of a sign-in: a TOTP code, or setting up a TOTP app when the desk requires one
import type { SignInResult } from './auth';

/** The member has a TOTP app: the code it shows now finishes the sign-in. */
export interface MfaCodeChallenge {
  readonly kind: 'mfa-code-required';
  submit(code: string): Promise<SignInResult>;
}

/** The desk requires two-factor sign-in and the member has no app yet: add the secret to one, confirm its first code. */
export interface MfaSetupChallenge {
  readonly kind: 'mfa-setup-required';
  /** The base32 secret, for typing into an authenticator app. */
  readonly secret: string;
  /** The same as an `otpauth://totp/...` URI (what a QR code would hold; phones open their authenticator app with it). */
  readonly otpauthUri: string;
  verify(code: string): Promise<SignInResult>;
}

export type MfaChallenge = MfaCodeChallenge | MfaSetupChallenge;

/** An authenticator code: six digits, spaces and dashes people type between them ignored. */
export function normalizeTotpCode(input: string): string {
  const code = input.replace(/[\s-]/g, '');
  if (!/^\d{6}$/.test(code)) throw new Error('Enter the 6-digit code your authenticator app shows.');
  return code;
}

/**
 * The Key URI an authenticator app takes (label `issuer:account`, base32 secret, SHA-1, 6 digits, 30 s: what
 * Cognito's TOTP uses).
 */
export function otpauthUri(secret: string, account: string, issuer: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const params = new URLSearchParams({ secret, issuer, algorithm: 'SHA1', digits: '6', period: '30' });
  return `otpauth://totp/${label}?${params.toString()}`;
}
