// core: reading the original mail out of a forward, as each common mail client writes one
import { describe, expect, it } from 'vitest';
import { inlineForwarded, mailboxOf, withoutForwardPrefix } from '../../../functions/core/email/forwarded-message';

describe('inlineForwarded', () => {
  it.each([
    [
      'Gmail',
      'Can you take this one?\n\n---------- Forwarded message ---------\nFrom: Ann Customer <ann@customer.example>\nDate: Mon, 2 Nov 2026 at 10:00\nSubject: Printer on fire\nTo: <ada@example.com>\n\n\nIt is on fire.\n',
    ],
    [
      'Gmail, bold field names',
      'Can you take this one?\n\n---------- Forwarded message ---------\n*From:* Ann Customer <ann@customer.example>\n*Date:* Mon, 2 Nov 2026\n*Subject:* Printer on fire\n*To:* <ada@example.com>\n\nIt is on fire.',
    ],
    [
      'Thunderbird',
      'Can you take this one?\n\n-------- Forwarded Message --------\nSubject: \tPrinter on fire\nDate: \tMon, 2 Nov 2026 10:00:00 +0000\nFrom: \tAnn Customer <ann@customer.example>\nTo: \tada@example.com\n\nIt is on fire.',
    ],
    [
      'Apple Mail',
      'Can you take this one?\n\nBegin forwarded message:\n\nFrom: Ann Customer <ann@customer.example>\nSubject: Printer on fire\nDate: 2 November 2026 at 10:00:00 GMT\nTo: ada@example.com\n\nIt is on fire.',
    ],
    [
      'Outlook',
      'Can you take this one?\n\n________________________________\nFrom: Ann Customer <ann@customer.example>\nSent: Monday, November 2, 2026 10:00 AM\nTo: Ada Agent <ada@example.com>\nSubject: Printer on fire\n\nIt is on fire.',
    ],
    [
      'Outlook in German',
      'Can you take this one?\n\n-----Ursprüngliche Nachricht-----\nVon: Ann Customer [mailto:ann@customer.example]\nGesendet: Montag, 2. November 2026 10:00\nAn: Ada Agent\nBetreff: Printer on fire\n\nIt is on fire.',
    ],
  ])('reads %s: the original sender, subject and text, and the note above', (_client, text) => {
    expect(inlineForwarded(text)).toEqual({
      from: { address: 'ann@customer.example', name: 'Ann Customer' },
      replyTo: [],
      subject: 'Printer on fire',
      text: 'It is on fire.',
      note: 'Can you take this one?',
    });
  });

  it('reads an attached message as mailparser renders it: its header block on its own paragraph, no separator', () => {
    expect(
      inlineForwarded(
        'See attached.\n\nFrom: "Bea" <bea@customer.example>\nSubject: Invoice wrong\nDate: Fri, 20 Nov 2026\nTo: a@example.com\n\nIt says 12.',
      ),
    ).toEqual({
      from: { address: 'bea@customer.example', name: 'Bea' },
      replyTo: [],
      subject: 'Invoice wrong',
      text: 'It says 12.',
      note: 'See attached.',
    });
    // Without a Subject, a paragraph starting "From:" is somebody's text, not a forward.
    expect(inlineForwarded('Hi,\n\nFrom: tomorrow on, I am away.\n\nAda')).toBeNull();
    expect(inlineForwarded('From: ann@customer.example\nTo: ada@example.com\n\nno subject')).toBeNull();
  });

  it('keeps a Reply-To and a folded subject', () => {
    const forwarded = inlineForwarded(
      '---------- Forwarded message ---------\nFrom: forms@shop.example\nReply-To: Ann <ann@customer.example>\nSubject: A long subject\n  that wraps\n\nBody',
    );
    expect(forwarded).toMatchObject({
      from: { address: 'forms@shop.example', name: '' },
      replyTo: [{ address: 'ann@customer.example', name: 'Ann' }],
      subject: 'A long subject that wraps',
      note: '',
    });
  });

  it('finds no forward in an ordinary mail, in a block without a From address, or far down a long mail', () => {
    expect(inlineForwarded('Hello,\n\nthe printer is on fire.\n\nAnn')).toBeNull();
    expect(inlineForwarded('---------- Forwarded message ---------\nFrom: Ann\nSubject: x\n\nBody')).toBeNull();
    const long = `${'line\n'.repeat(60)}---------- Forwarded message ---------\nFrom: ann@customer.example\n\nBody`;
    expect(inlineForwarded(long)).toBeNull();
  });
});

describe('mailboxOf and withoutForwardPrefix', () => {
  it('reads the address forms clients write, and nothing without an address', () => {
    expect(mailboxOf('"Ann C." <Ann@Customer.example>')).toEqual({ address: 'ann@customer.example', name: 'Ann C.' });
    expect(mailboxOf('ann@customer.example')).toEqual({ address: 'ann@customer.example', name: '' });
    expect(mailboxOf('Ann Customer')).toBeNull();
  });

  it('drops any number of forward prefixes', () => {
    expect(withoutForwardPrefix('Fwd: FW: WG: Printer')).toBe('Printer');
    expect(withoutForwardPrefix('Forward planning')).toBe('Forward planning');
  });
});
