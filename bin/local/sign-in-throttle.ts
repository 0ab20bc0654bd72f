// local stack: limits wrong sign-in codes, as Cognito's threat protection does for passwords in AWS

export interface SignInThrottleOptions {
  /** Wrong codes allowed within `windowMs` before sign-in locks. @default 5 */
  readonly maxFailures?: number;
  /** @default 60000 */
  readonly windowMs?: number;
  /** How long sign-in stays locked. @default 60000 */
  readonly lockMs?: number;
  readonly now?: () => number;
}

/**
 * Counts wrong sign-in codes. After `maxFailures` within a minute every sign-in, right code or not, is refused
 * for `lockMs`: a six-digit code then takes months to guess. One counter for all callers, since every local
 * caller comes from the same loopback address.
 * @example const throttle = new SignInThrottle(); if (throttle.retryAfterMs() > 0) refuse();
 */
export class SignInThrottle {
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly lockMs: number;
  private readonly now: () => number;
  private failures: number[] = [];
  private lockedUntil = 0;

  constructor(options: SignInThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? 5;
    this.windowMs = options.windowMs ?? 60_000;
    this.lockMs = options.lockMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds until a sign-in may be tried again; 0 when it may be tried now. */
  retryAfterMs(): number {
    return Math.max(0, this.lockedUntil - this.now());
  }

  /** Records a wrong code; the one that reaches the limit starts the lock. */
  recordFailure(): void {
    const now = this.now();
    this.failures = [...this.failures.filter((at) => at > now - this.windowMs), now];
    if (this.failures.length >= this.maxFailures) {
      this.lockedUntil = now + this.lockMs;
      this.failures = [];
    }
  }

  /** A right code forgets earlier mistakes. */
  recordSuccess(): void {
    this.failures = [];
  }
}
