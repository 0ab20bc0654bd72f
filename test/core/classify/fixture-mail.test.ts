// tests: classifyEmail on the project's own bounces, auto-replies, complaints and look-alikes (test/fixtures/mail)
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { classifyEmail } from '../../../functions/core/email/classify';
import type { Classification } from '../../../functions/core/types';
import { FIXTURE_MAIL, fixtureMail, fixtureMailIn } from '../../support/fixture-mail';

type Expected = Pick<Classification, 'kind' | 'failedRecipients' | 'permanent'> & { readonly reason?: RegExp };

const bounce = (failedRecipients: string[], permanent: boolean, reason?: RegExp): Expected => ({
  kind: 'bounce',
  failedRecipients,
  permanent,
  ...(reason ? { reason } : {}),
});
const autoReply = (reason: RegExp): Expected => ({ kind: 'auto-reply', failedRecipients: [], reason });
const complaint = (failedRecipients: string[], reason: RegExp): Expected => ({ kind: 'complaint', failedRecipients, reason });
const normal: Expected = { kind: 'normal', failedRecipients: [], reason: /^no automatic-mail markers$/ };

/** What each fixture is, one MTA family, responder or report type per file. */
const EXPECTED: Record<string, Expected> = {
  'bounce/postfix-dsn-user-unknown.eml': bounce(['nobody.here@example.net'], true, /^delivery-status report/),
  'bounce/postfix-dsn-two-recipients.eml': bounce(['ana@example.org', 'bo@example.org'], true),
  'bounce/postfix-plain-text-without-dsn-part.eml': bounce(['old.account@example.com'], true, /mailer-daemon/),
  'bounce/sendmail-dsn-user-unknown.eml': bounce(['gone@example.org'], true, /^delivery-status report/),
  'bounce/exim-plain-x-failed-recipients.eml': bounce(['kim@example.net'], true, /^X-Failed-Recipients header/),
  'bounce/exim-delay-warning.eml': bounce(['lee@example.net'], false, /delivery delayed/),
  'bounce/gmail-failed-permanently.eml': bounce(['pat.doe@example.org'], true),
  'bounce/gmail-delayed.eml': bounce(['sam@example.org'], false, /delivery delayed/),
  'bounce/qmail-failure-notice.eml': bounce(['vera@example.net'], true),
  'bounce/dsn-delayed-4xx.eml': bounce(['ivy@example.com'], false, /action delayed/),
  // Original-Recipient is the address the desk wrote to, before the forwarder rewrote it.
  'bounce/dsn-original-recipient-before-forwarding.eml': bounce(['info@shop.example.net'], true),
  'bounce/dsn-in-multipart-mixed.eml': bounce(['max@example.com'], true),
  'bounce/dsn-blocks-run-together.eml': bounce(['first@example.org', 'second@example.org'], true),
  'bounce/exchange-ndr-undeliverable.eml': bounce(['tom.former@example.com'], true),
  'bounce/html-only-bounce.eml': bounce(['rosa@example.org'], true),
  'auto-reply/rfc3834-vacation-auto-submitted.eml': autoReply(/^Auto-Submitted: auto-replied/),
  'auto-reply/exchange-oof-suppress-all.eml': autoReply(/^X-Auto-Response-Suppress: All$/),
  'auto-reply/apple-vacation-action.eml': autoReply(/^x-apple-action: VACATION$/),
  'auto-reply/x-autoreply-yes.eml': autoReply(/^X-Autoreply: yes$/),
  'auto-reply/out-of-office-subject-only.eml': autoReply(/^automatic-reply subject/),
  'auto-reply/success-only-dsn.eml': autoReply(/without failures/),
  'auto-reply/read-receipt-mdn.eml': autoReply(/^read receipt/),
  'auto-reply/mailing-list-list-id.eml': autoReply(/^mailing list \(List-Id/),
  'complaint/arf-abuse-original-rcpt-to.eml': complaint(['gwen@isp.example.net'], /Feedback-Type: abuse/),
  'complaint/arf-opt-out.eml': complaint(['hugo@mailbox.example.org'], /Feedback-Type: opt-out/),
  'complaint/arf-recipient-from-original-to.eml': complaint(['ines@webmail.example.com'], /Feedback-Type: abuse/),
  // A person forwarding a bounce is asking for help: a ticket, not a bounce.
  'normal/person-forwards-a-bounce.eml': normal,
  'normal/person-mentions-out-of-office.eml': normal,
  'normal/auto-submitted-no.eml': normal,
  // The report's body is unreadable (no boundary lines), but the envelope still says bounce.
  'malformed/multipart-report-without-boundary-lines.eml': bounce([], true, /^multipart\/report; report-type=delivery-status/),
};

async function classifyFixture(name: string): Promise<Classification> {
  return classifyEmail(await simpleParser(fixtureMail(name)));
}

describe('classifyEmail on the fixture mail', () => {
  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`classifies ${name} as ${expected.kind}${expected.failedRecipients.length ? ` of ${expected.failedRecipients.join(', ')}` : ''}`, async () => {
      const actual = await classifyFixture(name);

      const { reason, ...fields } = expected;
      expect(actual).toMatchObject(fields);
      expect(actual.failedRecipients).toEqual(expected.failedRecipients);
      if (reason) expect(actual.reason).toMatch(reason);
      // Every failed recipient is named in the message itself, never invented.
      const raw = fixtureMail(name).toString('latin1').toLowerCase();
      for (const address of actual.failedRecipients) expect(raw).toContain(address);
    });
  }

  it('has an expectation for every bounce, auto-reply, complaint and normal fixture', () => {
    const listed = ['bounce', 'auto-reply', 'complaint', 'normal'].flatMap(fixtureMailIn);
    expect(listed.filter((name) => !(name in EXPECTED))).toEqual([]);
    expect(Object.keys(EXPECTED).filter((name) => !FIXTURE_MAIL.includes(name))).toEqual([]);
  });

  it.each(fixtureMailIn('reply'))('classifies the customer reply %s as normal mail', async (name) => {
    expect(await classifyFixture(name)).toEqual({ kind: 'normal', reason: 'no automatic-mail markers', failedRecipients: [] });
  });
});
