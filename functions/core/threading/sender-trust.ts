// core: what SES's verdicts prove about a sender, and whom threading trusts by Message-ID or subject tag (pure)
import type { Authenticity, SenderAuthentication, Ticket } from '../types';

/**
 * Decides whether the From address is authenticated, spoofed or not known, from SES's verdicts alone.
 *
 * - `fail` (spoofed, trusted as nobody): DMARC failed; or, with no DMARC policy (`none` or no verdict), SPF failed and
 *   DKIM did not pass (failed, or no signature at all), so nothing vouches for the address its domain disowns.
 * - `pass`: DMARC passed. Only DMARC ties SPF's envelope domain or DKIM's signing domain to the From domain: without a
 *   DMARC policy, an SPF or DKIM pass may be for the sender's own domain (`MAIL FROM: x@attacker.example` with
 *   `From: ceo@bigcorp.example`), so it proves nothing about the From address.
 * - `unknown`: anything else, e.g. the local stack, where SES writes no verdicts. Not known is not failed.
 *
 * @example senderAuthenticity({ spf: 'pass', dkim: 'pass', dmarc: 'fail' }).verdict // 'fail'
 */
export function senderAuthenticity(auth: SenderAuthentication): Authenticity {
  const { spf, dkim, dmarc } = auth;
  if (dmarc === 'fail') return { verdict: 'fail', reason: 'DMARC failed: the From domain disowns this mail' };
  if (dmarc === 'pass') return { verdict: 'pass', reason: 'DMARC passed' };
  const noPolicy = dmarc === null || dmarc === 'none';
  if (noPolicy && spf === 'fail' && (dkim === 'fail' || dkim === 'none')) {
    return { verdict: 'fail', reason: `SPF failed and DKIM ${dkim === 'none' ? 'signature missing' : 'failed'}, with no DMARC policy` };
  }
  if (noPolicy && (spf === 'pass' || dkim === 'pass')) {
    return {
      verdict: 'unknown',
      reason: `${spf === 'pass' ? 'SPF' : 'DKIM'} passed, but with no DMARC policy nothing ties it to the From domain`,
    };
  }
  if (spf === null && dkim === null && dmarc === null) return { verdict: 'unknown', reason: 'no SES verdicts (not known, not failed)' };
  return { verdict: 'unknown', reason: `not decided by SES's verdicts (spf=${spf ?? '-'}, dkim=${dkim ?? '-'}, dmarc=${dmarc ?? '-'})` };
}

/** True when `address` is the ticket's requester or one of its participants (case-insensitively). */
export function takesPart(ticket: Ticket, address: string): boolean {
  const sender = address.trim().toLowerCase();
  return ticket.requester.address.toLowerCase() === sender || ticket.participants.some((p) => p.address.toLowerCase() === sender);
}

/**
 * Why a sender may not thread into a ticket by Message-ID or subject tag, or null when it may: only someone already on
 * the ticket whose mail SES did not find spoofed. A Message-ID is known to everyone the thread reached and a subject tag
 * to anyone, so neither proves who writes; a reply token does (it is signed), and is not checked here.
 */
export function untrustedBecause(ticket: Ticket, sender: string, authenticity: Authenticity): string | null {
  if (authenticity.verdict === 'fail') return `the sender ${sender || '(none)'} failed authentication (${authenticity.reason})`;
  if (!takesPart(ticket, sender))
    return `the sender ${sender || '(none)'} is not the requester or a participant of ticket #${ticket.number}`;
  return null;
}
