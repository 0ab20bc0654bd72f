// web: the sign-in page (local code or Cognito password, plus Cognito's first-sign-in new password)
import { useState } from 'preact/hooks';
import type { Auth, Session, SignInResult } from '../auth/auth';
import { MfaStep } from './mfa-step';

/** Signs a team member in and hands the session up. */
export function SignInPage({ auth, onSignedIn }: { auth: Auth; onSignedIn: (session: Session) => void }) {
  const [email, setEmail] = useState('');
  const [secret, setSecret] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [challenge, setChallenge] = useState<Exclude<SignInResult, { kind: 'signed-in' }> | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const run = async (step: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError('');
    try {
      await step();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  const proceed = (result: SignInResult) => (result.kind === 'signed-in' ? onSignedIn(result.session) : setChallenge(result));

  const onSubmit = (event: Event): void => {
    event.preventDefault();
    void run(async () => {
      if (challenge?.kind === 'new-password-required') {
        proceed(await challenge.complete(newPassword));
        return;
      }
      const result = await auth.signIn(email, secret);
      if (result.kind === 'signed-in') onSignedIn(result.session);
      else setChallenge(result);
    });
  };

  if (challenge && challenge.kind !== 'new-password-required') return <MfaStep challenge={challenge} onResult={proceed} />;

  return (
    <main id="main" class="sign-in">
      <form onSubmit={onSubmit} aria-describedby={error ? 'sign-in-error' : undefined}>
        <h1>Sign in to sesdesk</h1>
        {challenge ? (
          <>
            <p>This is your first sign-in: choose a new password.</p>
            <label for="new-password">New password</label>
            <input
              id="new-password"
              type="password"
              autocomplete="new-password"
              required
              minLength={8}
              value={newPassword}
              onInput={(event) => setNewPassword(event.currentTarget.value)}
            />
          </>
        ) : (
          <>
            <label for="email">Email</label>
            <input
              id="email"
              type="email"
              autocomplete="username"
              required
              value={email}
              onInput={(event) => setEmail(event.currentTarget.value)}
            />
            <label for="secret">{auth.secretLabel}</label>
            <input
              id="secret"
              type="password"
              autocomplete={auth.kind === 'local' ? 'one-time-code' : 'current-password'}
              required
              value={secret}
              onInput={(event) => setSecret(event.currentTarget.value)}
            />
            {auth.kind === 'local' && <p class="hint">The local stack prints the sign-in code when it starts (`npm start`).</p>}
          </>
        )}
        {error && (
          <p id="sign-in-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : challenge ? 'Set password and sign in' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
