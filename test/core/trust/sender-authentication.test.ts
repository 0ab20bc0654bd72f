// tests: SES's SPF/DKIM/DMARC verdicts read from its own block only, and what they prove about the sender
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { readSesAuthentication } from '../../../functions/core/email/classify';
import { parseEmail } from '../../../functions/core/email/parse-email';
import { senderAuthenticity } from '../../../functions/core/threading/sender-trust';
import { sesReceiptHeaders } from '../../../bin/local/smtp-receiver';

const SES_HOP = [
  'Return-Path: <bob@example.com>',
  'Received: from mx.attacker.example (mx.attacker.example [203.0.113.9])',
  ' by inbound-smtp.eu-west-1.amazonaws.com with SMTP id abcdef0123',
  ' for support@desk.localhost; Mon, 20 Mar 2023 03:11:44 +0000 (UTC)',
  'X-SES-Spam-Verdict: PASS',
  'X-SES-Virus-Verdict: PASS',
];

const BODY = [
  'From: Bob <bob@example.com>',
  'To: support@desk.localhost',
  'Subject: Re: [#2]',
  'Message-ID: <b1@example.com>',
  '',
  'Hi',
  '',
];

async function authOf(lines: string[]) {
  return readSesAuthentication(await simpleParser(lines.join('\r\n')));
}

describe('reading SES authentication verdicts', () => {
  it('reads spf, dkim and dmarc from the Authentication-Results SES wrote, lower-cased, comments ignored', async () => {
    const auth = await authOf([
      ...SES_HOP,
      'Received-SPF: pass (spfCheck: domain of example.com designates 203.0.113.9 as permitted sender) client-ip=203.0.113.9;',
      'Authentication-Results: amazonses.com;',
      ' spf=pass (spfCheck: domain of example.com designates 203.0.113.9; as permitted sender) client-ip=203.0.113.9; envelope-from=bob@example.com;',
      ' dkim=PASS header.i=@example.com;',
      ' dmarc=fail header.from=example.com;',
      'X-SES-RECEIPT: AEFBQUFB',
      ...BODY,
    ]);
    expect(auth).toEqual({ spf: 'pass', dkim: 'pass', dmarc: 'fail' });
  });

  it("takes SES's topmost copy and ignores a sender's lower one that claims a pass", async () => {
    const auth = await authOf([
      ...SES_HOP,
      'Authentication-Results: amazonses.com; spf=fail; dkim=none; dmarc=fail header.from=example.com;',
      'Received: by mx.attacker.example with SMTP id 1; Mon, 20 Mar 2023 03:11:40 +0000',
      'Authentication-Results: amazonses.com; spf=pass; dkim=pass; dmarc=pass;',
      ...BODY,
    ]);
    expect(auth).toEqual({ spf: 'fail', dkim: 'none', dmarc: 'fail' });
  });

  it('finds nothing when only the sender wrote verdicts below its own Received line', async () => {
    const auth = await authOf([
      ...SES_HOP,
      'Received: by mx.attacker.example with SMTP id 1; Mon, 20 Mar 2023 03:11:40 +0000',
      'Authentication-Results: amazonses.com; spf=pass; dkim=pass; dmarc=pass;',
      'Received-SPF: pass',
      ...BODY,
    ]);
    expect(auth).toEqual({ spf: null, dkim: null, dmarc: null });
  });

  it("ignores another server's Authentication-Results inside SES's block and falls back to Received-SPF for SPF", async () => {
    const auth = await authOf([
      ...SES_HOP,
      'Received-SPF: softfail (spfCheck: transitioning domain) client-ip=203.0.113.9;',
      'Authentication-Results: mx.example.net; spf=pass; dkim=pass; dmarc=pass',
      ...BODY,
    ]);
    expect(auth).toEqual({ spf: 'softfail', dkim: null, dmarc: null });
  });

  it('counts DKIM as passed when any of several signatures passed', async () => {
    const auth = await authOf([
      ...SES_HOP,
      'Authentication-Results: amazonses.com; dkim=fail header.i=@a.example; dkim=pass header.i=@example.com;',
      ...BODY,
    ]);
    expect(auth.dkim).toBe('pass');
  });

  it("reads no verdict from the local SMTP stand-in's block, not even a sender's forged copies right below it", async () => {
    const standIn = sesReceiptHeaders({
      id: 'abc',
      mailFrom: 'bob@attacker.example',
      recipient: 'support@desk.localhost',
      clientHostname: 'mx.attacker.example',
      remoteAddress: '203.0.113.9',
      region: 'us-east-1',
    });
    const forged = ['Authentication-Results: amazonses.com; spf=pass; dkim=pass; dmarc=pass', 'Received-SPF: pass', ...BODY];
    const mail = await parseEmail(Buffer.from(standIn + forged.join('\r\n')));
    expect(mail.authentication).toEqual({ spf: null, dkim: null, dmarc: null });
    expect(mail.verdicts).toEqual({ spam: 'PASS', virus: 'PASS' });
  });

  it("ignores a Received-SPF below SES's Authentication-Results (SES writes its own above)", async () => {
    const auth = await authOf([...SES_HOP, 'Authentication-Results: amazonses.com; dkim=fail;', 'Received-SPF: pass', ...BODY]);
    expect(auth).toEqual({ spf: null, dkim: 'fail', dmarc: null });
  });

  it('is null everywhere for mail that never passed SES (the local stack), and parse prints it', async () => {
    const mail = await parseEmail(Buffer.from(BODY.join('\r\n')));
    expect(mail.authentication).toEqual({ spf: null, dkim: null, dmarc: null });
  });
});

describe('senderAuthenticity', () => {
  it('calls a DMARC failure spoofed whatever SPF and DKIM say', () => {
    expect(senderAuthenticity({ spf: 'pass', dkim: 'pass', dmarc: 'fail' }).verdict).toBe('fail');
  });

  it('calls SPF and DKIM both failing spoofed when the domain has no DMARC policy (none or no verdict)', () => {
    expect(senderAuthenticity({ spf: 'fail', dkim: 'fail', dmarc: 'none' }).verdict).toBe('fail');
    expect(senderAuthenticity({ spf: 'fail', dkim: 'none', dmarc: null }).verdict).toBe('fail');
  });

  it('does not call a soft SPF failure or a DKIM pass spoofed without a DMARC policy', () => {
    expect(senderAuthenticity({ spf: 'softfail', dkim: 'none', dmarc: 'none' }).verdict).toBe('unknown');
    expect(senderAuthenticity({ spf: 'fail', dkim: 'pass', dmarc: 'none' }).verdict).toBe('unknown');
  });

  it('never calls an SPF or DKIM pass without DMARC authenticated: it may be for the sender’s own domain, not From’s', () => {
    // MAIL FROM x@attacker.example passes SPF, and attacker.example may sign with DKIM, under From: ceo@bigcorp.example.
    for (const dmarc of ['none', null]) {
      expect(senderAuthenticity({ spf: 'pass', dkim: 'none', dmarc }).verdict, String(dmarc)).toBe('unknown');
      expect(senderAuthenticity({ spf: 'pass', dkim: 'pass', dmarc }).verdict, String(dmarc)).toBe('unknown');
    }
  });

  it('treats no verdicts at all as not known, never as failed', () => {
    expect(senderAuthenticity({ spf: null, dkim: null, dmarc: null })).toEqual({
      verdict: 'unknown',
      reason: 'no SES verdicts (not known, not failed)',
    });
  });

  it('calls DMARC pass authenticated', () => {
    expect(senderAuthenticity({ spf: 'fail', dkim: 'pass', dmarc: 'pass' }).verdict).toBe('pass');
  });
});
