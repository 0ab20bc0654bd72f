// core: decide whether a failed delivery is permanent (5.x.x, or an address that does not exist) or transient
import { ENHANCED_STATUS } from './delivery-status';

/**
 * Enhanced-status subjects that condemn the address itself (RFC 3463: 1.1 bad mailbox, 1.2 bad system,
 * 1.3 bad syntax, 1.6 moved, 1.10 null MX): retrying cannot help, whatever class the MTA sent.
 */
const ADDRESS_FAULTS = new Set(['1.1', '1.2', '1.3', '1.6', '1.10']);

/** A basic SMTP reply code standing alone (`550 `, `550-`, `said: 450`), not part of an address or IP. */
const REPLY_CODE = /(?:^|[\s:(])([245])\d\d(?=[\s-]|$)/;

/** The MTA gave up because time ran out while the far side kept failing temporarily. */
const EXPIRY =
  /\b(?:retry time(?:out)? (?:exceeded|expired)|message expired|too long in (?:the )?queue|could not be delivered (?:with)?in \d+|queue lifetime|have been failing for a long time)\b/i;

/** Explicit permanent wording, used only when no code was given. */
const PERMANENT_WORDING = /\b(?:failed permanently|permanent (?:error|failure|fatal)|permanently)\b/i;

/** Permanence from an enhanced status code; null when there is none. */
export function permanentFromStatus(status: string | null): boolean | null {
  const match = status ? ENHANCED_STATUS.exec(status) : null;
  if (!match) return null;
  if (match[1] === '5') return true;
  return ADDRESS_FAULTS.has(`${match[2]}.${match[3]}`);
}

/**
 * Decides one recipient's permanence: its enhanced code, then its SMTP reply code, then expiry wording
 * (a timeout is transient), then the bounce's overall wording; a returned message defaults to permanent.
 */
export function permanentFromText(diagnostic: string, context: string): boolean {
  const fromStatus = permanentFromStatus(diagnostic);
  if (fromStatus !== null) return fromStatus;
  const reply = REPLY_CODE.exec(diagnostic);
  if (reply) return reply[1] === '5';
  if (EXPIRY.test(diagnostic)) return false;
  if (PERMANENT_WORDING.test(context)) return true;
  return !EXPIRY.test(context);
}
