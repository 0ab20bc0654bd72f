// tests: classifyEmail on the project's own bounces, auto-replies, complaints and look-alikes (test/fixtures/mail)
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { classifyEmail } from '../../../functions/core/email/classify';
import type { Classification } from '../../../functions/core/types';
import { FIXTURE_MAIL, fixtureMail, fixtureMailIn } from '../../support/fixture-mail';

type Expected = Pick<Classification, 'kind' | 'failedRecipients' | 'permanent' | 'originalMessageIds' | 'sesMessageId'> & {
  readonly reason?: RegExp;
};

const bounce = (failedRecipients: string[], permanent: boolean, reason?: RegExp, original?: string): Expected => ({
  kind: 'bounce',
  failedRecipients,
  permanent,
  ...(reason ? { reason } : {}),
  ...(original ? { originalMessageIds: [original] } : {}),
});
const autoReply = (reason: RegExp): Expected => ({ kind: 'auto-reply', failedRecipients: [], reason });
/** A complaint about the returned original `original` (the Message-ID a report is matched by). */
const complaint = (failedRecipients: string[], reason: RegExp, original?: string): Expected => ({
  kind: 'complaint',
  failedRecipients,
  reason,
  ...(original ? { originalMessageIds: [original] } : {}),
});
const normal: Expected = { kind: 'normal', failedRecipients: [], reason: /^no automatic-mail markers$/ };
/** What an SES notification that came by mail refers to: our Message-IDs (as SES rewrote it in eu-west-1, and ours). */
const sesOrigin = (sesMessageId: string, ours: string): Pick<Expected, 'originalMessageIds' | 'sesMessageId'> => ({
  originalMessageIds: [`<${sesMessageId}@eu-west-1.amazonses.com>`, ours],
  sesMessageId,
});

/** What each fixture is, one MTA family, responder or report type per file. */
const EXPECTED: Record<string, Expected> = {
  'bounce/postfix-dsn-user-unknown.eml': bounce(
    ['nobody.here@example.net'],
    true,
    /^delivery-status report/,
    '<0100019562f0c8a1-5e1b0d3c-4f7a-4d8e-9a3b-1c2d3e4f5a6b-000000@email.amazonses.com>',
  ),
  'bounce/postfix-dsn-two-recipients.eml': bounce(['ana@example.org', 'bo@example.org'], true, undefined, '<answer-7@desk.localhost>'),
  'bounce/postfix-plain-text-without-dsn-part.eml': bounce(
    ['old.account@example.com'],
    true,
    /mailer-daemon/,
    '<answer-12@desk.localhost>',
  ),
  'bounce/sendmail-dsn-user-unknown.eml': bounce(['gone@example.org'], true, /^delivery-status report/, '<answer-3@desk.localhost>'),
  'bounce/exim-plain-x-failed-recipients.eml': bounce(
    ['kim@example.net'],
    true,
    /^X-Failed-Recipients header/,
    '<answer-19@desk.localhost>',
  ),
  'bounce/exim-delay-warning.eml': bounce(['lee@example.net'], false, /delivery delayed/),
  'bounce/gmail-failed-permanently.eml': bounce(['pat.doe@example.org'], true, undefined, '<answer-21@desk.localhost>'),
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
  'complaint/arf-abuse-original-rcpt-to.eml': complaint(['gwen@isp.example.net'], /Feedback-Type: abuse/, '<answer-40@desk.localhost>'),
  'complaint/arf-opt-out.eml': complaint(['hugo@mailbox.example.org'], /Feedback-Type: opt-out/, '<answer-41@desk.localhost>'),
  'complaint/arf-recipient-from-original-to.eml': complaint(
    ['ines@webmail.example.com'],
    /Feedback-Type: abuse/,
    '<answer-42@desk.localhost>',
  ),
  // Every ARF feedback type is a report, never an auto-reply; not-spam and auth-failure say nothing against the recipient.
  'complaint/arf-feedback-type-fraud.eml': complaint(['lena@mailbox.example.net'], /Feedback-Type: fraud\)$/, '<answer-80@desk.localhost>'),
  'complaint/arf-feedback-type-virus.eml': complaint(['lena@mailbox.example.net'], /Feedback-Type: virus\)$/, '<answer-80@desk.localhost>'),
  'complaint/arf-feedback-type-other.eml': complaint(['lena@mailbox.example.net'], /Feedback-Type: other\)$/, '<answer-80@desk.localhost>'),
  'complaint/arf-feedback-type-not-spam.eml': complaint(
    [],
    /Feedback-Type: not-spam\); not a complaint against the recipient/,
    '<answer-80@desk.localhost>',
  ),
  'complaint/arf-feedback-type-auth-failure.eml': complaint(
    [],
    /Feedback-Type: auth-failure\); not a complaint against the recipient/,
    '<answer-80@desk.localhost>',
  ),
  // SES notifications an SNS email subscription delivers: a report about mail we sent, never a ticket.
  'bounce/ses-bounce-notification-by-sns-email.eml': {
    ...bounce(['moved.away@example.org'], true, /^SES bounce notification by mail \(Permanent\/General\)/),
    ...sesOrigin('0102019601a2b3c4-5d6e7f80-9a0b-4c1d-8e2f-3a4b5c6d7e8f-000000', '<answer-90@desk.localhost>'),
  },
  'bounce/ses-transient-bounce-notification-by-sns-email-json.eml': {
    ...bounce(['full.box@example.org'], false, /^SES bounce notification by mail \(Transient\/MailboxFull\)/),
    ...sesOrigin('0102019601a2b3c4-11112222-3333-4444-5555-666677778888-000000', '<answer-91@desk.localhost>'),
  },
  'bounce/ses-delivery-delay-event-by-sns-email.eml': {
    ...bounce(['slow.box@example.com'], false, /^SES delivery delay notification by mail/),
    ...sesOrigin('0102019601a2b3c4-12345678-9abc-def0-1234-56789abcdef0-000000', '<answer-93@desk.localhost>'),
  },
  'complaint/ses-complaint-notification-by-sns-email.eml': {
    ...complaint(['angry.reader@example.net'], /^SES complaint notification by mail \(abuse\)/),
    ...sesOrigin('0102019601a2b3c4-99990000-aaaa-bbbb-cccc-ddddeeeeffff-000000', '<answer-92@desk.localhost>'),
  },
  'auto-reply/ses-delivery-notification-by-sns-email.eml': {
    ...autoReply(/^SES delivery notification by mail$/),
    ...sesOrigin('0102019601a2b3c4-0f0e0d0c-0b0a-0908-0706-050403020100-000000', '<answer-94@desk.localhost>'),
  },
  'auto-reply/sns-notification-that-is-not-from-ses.eml': autoReply(/^Amazon SNS notification \(not an SES notification\)$/),
  // A person who pastes a notification into their mail is asking for help.
  'normal/customer-pastes-an-ses-notification.eml': normal,
  // A person forwarding a bounce is asking for help: a ticket, not a bounce.
  'normal/person-forwards-a-bounce.eml': normal,
  'normal/person-mentions-out-of-office.eml': normal,
  'normal/auto-submitted-no.eml': normal,
  // The report's body is unreadable (no boundary lines), but the envelope still says bounce.
  'malformed/multipart-report-without-boundary-lines.eml': bounce([], true, /^multipart\/report; report-type=delivery-status/),
};

async function classifyFixture(name: string): Promise<{ classification: Classification; text: string }> {
  const mail = await simpleParser(fixtureMail(name));
  return { classification: classifyEmail(mail), text: `${mail.text ?? ''}\n${fixtureMail(name).toString('latin1')}`.toLowerCase() };
}

describe('classifyEmail on the fixture mail', () => {
  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`classifies ${name} as ${expected.kind}${expected.failedRecipients.length ? ` of ${expected.failedRecipients.join(', ')}` : ''}`, async () => {
      const { classification: actual, text } = await classifyFixture(name);

      const { reason, ...fields } = expected;
      expect(actual).toMatchObject(fields);
      expect(actual.failedRecipients).toEqual(expected.failedRecipients);
      expect(actual.originalMessageIds).toEqual(expected.originalMessageIds);
      if (reason) expect(actual.reason).toMatch(reason);
      // Every failed recipient is named in the message itself, never invented.
      for (const address of actual.failedRecipients) expect(text).toContain(address);
    });
  }

  it('has an expectation for every bounce, auto-reply, complaint and normal fixture', () => {
    const listed = ['bounce', 'auto-reply', 'complaint', 'normal'].flatMap(fixtureMailIn);
    expect(listed.filter((name) => !(name in EXPECTED))).toEqual([]);
    expect(Object.keys(EXPECTED).filter((name) => !FIXTURE_MAIL.includes(name))).toEqual([]);
  });

  it.each(fixtureMailIn('reply'))('classifies the customer reply %s as normal mail', async (name) => {
    expect((await classifyFixture(name)).classification).toEqual({
      kind: 'normal',
      reason: 'no automatic-mail markers',
      failedRecipients: [],
    });
  });
});
