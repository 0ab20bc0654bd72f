// tests: the new text (`reply`) parseEmail keeps of the project's own customer replies, one client or layout per file
import { describe, expect, it } from 'vitest';
import { parseEmail } from '../../../functions/core/email/parse-email';
import { fixtureMail, fixtureMailIn } from '../../support/fixture-mail';

/** The reply each fixture must come down to: quotes, quote headers, original-message blocks and signatures gone. */
const EXPECTED_REPLY: Record<string, string> = {
  'reply/gmail-text-and-html-on-wrote.eml': 'Thanks, the new password works.\n\nGreta',
  'reply/outlook-html-only-base64.eml': 'The licence key is active now, thank you.\n\nIvo',
  'reply/outlook-plain-header-block.eml': 'Friday is fine for us.\n\nBest regards\nJana',
  'reply/outlook-reply-directly-above-rule.eml': 'Outlook reply right above the rule',
  'reply/outlook-2007-border-top-header-html.eml': 'Please send the form again.',
  'reply/outlook-mac-olk-src-body-section-html.eml': 'Yes, Thursday suits me.',
  'reply/apple-mail-html-blockquote-cite.eml': 'Got it, thank you!',
  'reply/thunderbird-html-moz-cite-prefix.eml': 'The backup finished at 03:00.\n\nLars',
  'reply/yahoo-html-quoted.eml': 'Still not working, sorry.',
  'reply/zimbra-hr-separated-header-html.eml': 'Thanks, that is what I needed.',
  'reply/dated-address-header-without-verb-html.eml': 'Спасибо, всё работает.',
  'reply/dutch-original-unquoted.eml': 'Dit is mijn antwoord: het werkt weer.',
  'reply/paragraphs-and-inline-markup-kept.eml':
    'Could the *old* data stay on the current disks while the new data\ngoes to the *new* array?\n\n' +
    'Moving it later is cheap -- we can keep both for a month, I think.\n\nThanks for thinking it through.',
  'reply/html-table-and-unattributed-blockquote.eml':
    'Item\tPrice\tStock\nCable\t4 EUR\t12\nPlug\t2 EUR\t40\nA list is only as good as its last update.',
  'reply/interleaved-answers.eml': 'Version 4.2.\n\nYes, twice.',
  'reply/signature-and-mobile-footer.eml': 'Tuesday at 10 works.',
  'reply/windows-line-endings-wrapped-header.eml': 'The router is back online.',
  'reply/dash-name-signature-above-nested-quote.eml': 'Oh good, that helps.\n\nA setting for this would be even better.',
  'reply/bullets-and-blank-lines-kept.eml':
    'Second try, the list should stay as it is\n\nwith blank lines between\n\nand its own layout:\n\n\n   - first point\n   - second point',
  'reply/line-starting-with-on-that-is-no-header.eml':
    'On the server you can run:\n\n     systemctl restart desk\n\nThat restarts the service (on every node, one at a time).',
};

describe('reply of the fixture replies', () => {
  for (const [name, expected] of Object.entries(EXPECTED_REPLY)) {
    it(`keeps only the new text of ${name}`, async () => {
      expect((await parseEmail(fixtureMail(name))).reply).toBe(expected);
    });
  }

  it('has an expected reply for every reply fixture', () => {
    expect(fixtureMailIn('reply').filter((name) => !(name in EXPECTED_REPLY))).toEqual([]);
  });
});
