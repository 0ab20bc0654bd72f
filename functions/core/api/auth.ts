// core: who is calling the dashboard API, from the claims a JWT authorizer verified
import { findTeamMember, type DeskConfig } from '../config/desk-config';
import { ForbiddenError, UnauthenticatedError } from './errors';

/** The Cognito group whose members may use the dashboard. */
export const TEAM_GROUP = 'team';

/** A verified team member. */
export interface Agent {
  readonly email: string;
  readonly name: string;
}

/** Claims as API Gateway passes them: values are strings, or arrays rendered as `[a b]`. */
export type Claims = Readonly<Record<string, string | number | boolean | string[]>>;

/**
 * The agent behind a request. Team = Cognito group `team`, or an email listed in the configuration's `team`.
 * @throws UnauthenticatedError without an email claim; ForbiddenError for anyone outside the team.
 * @example agentFromClaims(config, { email: 'ada@example.com', 'cognito:groups': '[team]' })
 */
export function agentFromClaims(config: DeskConfig, claims: Claims | undefined): Agent {
  const email = typeof claims?.email === 'string' ? claims.email.trim().toLowerCase() : '';
  if (!claims || !email.includes('@')) throw new UnauthenticatedError('the token carries no email');
  const member = findTeamMember(config.team, email);
  if (!member && !claimList(claims['cognito:groups']).includes(TEAM_GROUP)) {
    throw new ForbiddenError(`${email} is not a member of the team`);
  }
  const name = member?.name ?? (typeof claims.name === 'string' && claims.name ? claims.name : email.split('@')[0]!);
  return { email, name };
}

/** API Gateway flattens a JSON array claim into `"[a b]"`; tokens verified elsewhere may keep the array. */
function claimList(value: Claims[string] | undefined): string[] {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string') return [];
  return value
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}
