// web: the two-factor step of sign-in: the code of a TOTP app, or adding one when the desk requires it
import { useState } from 'preact/hooks';
import type { SignInResult } from '../auth/auth';
import type { MfaChallenge } from '../auth/mfa-challenge';

/** The secret in groups of four, as authenticator apps show and people type it. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

/** Asks for the code Cognito wants and hands the next step (or the session) up. */
export function MfaStep({ challenge, onResult }: { challenge: MfaChallenge; onResult: (result: SignInResult) => void }) {
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const setup = challenge.kind === 'mfa-setup-required';

  const onSubmit = (event: Event): void => {
    event.preventDefault();
    setBusy(true);
    setError('');
    (setup ? challenge.verify(code) : challenge.submit(code))
      .then(onResult)
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)))
      .finally(() => setBusy(false));
  };

  return (
    <main id="main" class="sign-in">
      <form onSubmit={onSubmit} aria-describedby={error ? 'mfa-error' : undefined}>
        <h1>{setup ? 'Set up two-factor sign-in' : 'Two-factor sign-in'}</h1>
        {setup ? (
          <>
            <p>This desk requires an authenticator app (any TOTP app). Add this account to it, then enter the code it shows.</p>
            <p>
              On this device: <a href={challenge.otpauthUri}>open in your authenticator app</a>. Or type the key:
            </p>
            <p>
              <code id="mfa-secret" style="word-break: break-all">
                {grouped(challenge.secret)}
              </code>
            </p>
            <details>
              <summary>Setup link</summary>
              <code id="mfa-uri" style="word-break: break-all">
                {challenge.otpauthUri}
              </code>
            </details>
          </>
        ) : (
          <p>Enter the code your authenticator app shows for sesdesk.</p>
        )}
        <label for="mfa-code">6-digit code</label>
        <input
          id="mfa-code"
          inputMode="numeric"
          autocomplete="one-time-code"
          pattern="[0-9 -]{6,9}"
          required
          value={code}
          onInput={(event) => setCode(event.currentTarget.value)}
        />
        {error && (
          <p id="mfa-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Checking…' : setup ? 'Verify and sign in' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
