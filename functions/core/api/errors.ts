// core: errors of the dashboard API's own rules (who may call it); the rest come from ../errors
import { HelpdeskError } from '../errors';

/** No identity, or one that cannot be trusted (missing or invalid token): answered 401. */
export class UnauthenticatedError extends HelpdeskError {
  constructor(message: string, options?: ErrorOptions) {
    super('UNAUTHENTICATED', message, options);
    this.name = 'UnauthenticatedError';
  }
}

/** A signed-in user outside the team, or a sign-in that is not allowed: answered 403. */
export class ForbiddenError extends HelpdeskError {
  constructor(message: string, options?: ErrorOptions) {
    super('FORBIDDEN', message, options);
    this.name = 'ForbiddenError';
  }
}
