// web unit: the dashboard's pure logic (routes, API queries, wording, frame CSP, shortcuts, config, tokens)
import { describe, expect, it } from 'vitest';
import { TEMPLATE_PLACEHOLDERS as CORE_PLACEHOLDERS } from '../../functions/core/settings/desk-settings';
import { listParams } from '../../web/src/api/client';
import { jwtClaims, jwtExpiry } from '../../web/src/auth/auth';
import { sessionFromLink } from '../../web/src/auth/local-auth';
import { parseConfig } from '../../web/src/config';
import { QUOTED_HTML_ATTRIBUTE } from '../../functions/contracts';
import { cidKey, emailCsp, frameDocument, frameStyle, referencedCids } from '../../web/src/lib/email-frame';
import { authenticationSummary, fileSize, mailboxLabel, parseLabels, relativeTime, threadedByLabel } from '../../web/src/lib/format';
import { refreshLimit } from '../../web/src/lib/page-size';
import { TEMPLATE_PLACEHOLDERS } from '../../web/src/lib/placeholders';
import { parseRoute, routeHref, type Route } from '../../web/src/lib/route';
import { shortcutKey, type KeyInfo } from '../../web/src/lib/shortcuts';

describe('routes', () => {
  it('reads every route back from the link it makes', () => {
    const routes: Route[] = [
      { page: 'inbox', view: 'open' },
      { page: 'inbox', view: 'unassigned' },
      { page: 'search', q: 'printer / fire #42' },
      { page: 'ticket', id: '01hx9zq' },
      { page: 'settings', deskId: null },
      { page: 'settings', deskId: 'support' },
    ];
    for (const route of routes) expect(parseRoute(routeHref(route))).toEqual(route);
  });

  it('treats an empty or unknown hash as the open inbox', () => {
    expect(parseRoute('')).toEqual({ page: 'inbox', view: 'open' });
    expect(parseRoute('#/inbox/nonsense')).toEqual({ page: 'inbox', view: 'open' });
    expect(parseRoute('#/whatever')).toEqual({ page: 'inbox', view: 'open' });
  });
});

describe('inbox queries', () => {
  it('asks for open tickets of an assignee view and for the status of a status view', () => {
    expect(listParams({ view: 'mine' }).toString()).toBe('status=open&view=mine');
    expect(listParams({ view: 'unassigned', limit: 50 }).toString()).toBe('status=open&view=unassigned&limit=50');
    expect(listParams({ view: 'closed', cursor: 'abc=' }).toString()).toBe('status=closed&cursor=abc%3D');
    expect(listParams({ view: 'open', filters: { assignee: 'bo@x.example' } }).toString()).toBe('status=open&assignee=bo%40x.example');
    expect(listParams({ view: 'mine', filters: { assignee: 'bo@x.example' } }).toString()).toBe('status=open&view=mine');
  });

  it('refreshes everything already shown, within the API page limits', () => {
    expect(refreshLimit(0)).toBe(25);
    expect(refreshLimit(60)).toBe(60);
    expect(refreshLimit(400)).toBe(100);
  });
});

describe('wording', () => {
  const now = Date.parse('2025-06-10T12:00:00Z');

  it('says how long ago something happened', () => {
    expect(relativeTime('2025-06-10T11:59:30Z', now)).toBe('just now');
    expect(relativeTime('2025-06-10T11:15:00Z', now)).toBe('45 min ago');
    expect(relativeTime('2025-06-10T07:00:00Z', now)).toBe('5 h ago');
    expect(relativeTime('2025-06-09T10:00:00Z', now)).toBe('yesterday');
    expect(relativeTime('not a date', now)).toBe('');
  });

  it('names every threading rule the way the brief does', () => {
    expect(threadedByLabel('reply-token')).toBe('threaded by reply token');
    expect(threadedByLabel('message-id')).toBe('threaded by Message-ID');
    expect(threadedByLabel('subject-tag')).toBe('threaded by subject tag');
    expect(threadedByLabel('new-ticket')).toBe('new ticket');
  });

  it('formats mailboxes, sizes and label input', () => {
    expect(mailboxLabel({ address: 'ann@example.com', name: 'Ann' })).toBe('Ann <ann@example.com>');
    expect(mailboxLabel({ address: 'ann@example.com', name: '' })).toBe('ann@example.com');
    expect(fileSize(512)).toBe('512 B');
    expect(fileSize(2048)).toBe('2 KB');
    expect(fileSize(3.5 * 1024 * 1024)).toBe('3.5 MB');
    expect(parseLabels(' billing, urgent,,billing ')).toEqual(['billing', 'urgent']);
  });

  it("sums up SES's verdicts as it wrote them, leaving out the ones it did not write", () => {
    expect(authenticationSummary({ spf: 'fail', dkim: 'none', dmarc: 'fail' })).toBe('SPF fail · DKIM none · DMARC fail');
    expect(authenticationSummary({ spf: 'pass', dkim: null, dmarc: null })).toBe('SPF pass');
    expect(authenticationSummary({ spf: null, dkim: null, dmarc: null })).toBe('');
  });
});

describe('email frame', () => {
  it('blocks remote images until they are allowed, and never allows scripts', () => {
    expect(emailCsp(false)).toBe("default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'");
    expect(emailCsp(true)).toBe("default-src 'none'; img-src data: cid: https: http:; style-src 'unsafe-inline'");
    expect(emailCsp(true)).not.toMatch(/script-src|unsafe-eval/);
  });

  it('puts the policy before anything the email contains', () => {
    const doc = frameDocument('<img src="https://tracker.example/p.gif">', { remoteImages: false });
    expect(doc.indexOf('Content-Security-Policy')).toBeGreaterThan(-1);
    expect(doc.indexOf('Content-Security-Policy')).toBeLessThan(doc.indexOf('tracker.example'));
    expect(doc).toContain(`content="${emailCsp(false)}"`);
  });

  it("hides the API's quoted-history marks only while the quote is folded, in the frame and in its measured copy", () => {
    const hide = `[${QUOTED_HTML_ATTRIBUTE}]{display:none!important}`;
    expect(frameDocument('<p>Hi</p>', { remoteImages: false, hideQuoted: true })).toContain(hide);
    expect(frameDocument('<p>Hi</p>', { remoteImages: false, hideQuoted: false })).not.toContain(hide);
    expect(frameDocument('<p>Hi</p>', { remoteImages: false })).not.toContain(hide);
    expect(frameStyle('.frame-body', { hideQuoted: true })).toContain(hide);
    expect(frameStyle('.frame-body', { hideQuoted: true })).toContain('.frame-body{margin:0;padding:12px;');
  });

  it("allows exactly the stored parts' paths for cid: images, and nothing that could break out of the policy", () => {
    const part = 'http://127.0.0.1:8007/sesdesk-mail/attachments/t1/m1/0-image.png?X-Amz-Signature=abc&X-Amz-Expires=300';
    expect(emailCsp(false, [part])).toBe(
      "default-src 'none'; img-src data: cid: http://127.0.0.1:8007/sesdesk-mail/attachments/t1/m1/0-image.png; style-src 'unsafe-inline'",
    );
    expect(
      emailCsp(false, ["https://x.example/a; script-src 'unsafe-inline'", 'https://x.example/"><script>', 'javascript:alert(1)']),
    ).toBe(emailCsp(false));
  });

  it('finds the Content-IDs an HTML body shows, in the form parts are compared in', () => {
    expect(referencedCids('<img src="cid:ii_M1A2B3"><img src=\'cid:%3Cpart1@x%3E\'><img src="cid:ii_m1a2b3">')).toEqual([
      'ii_m1a2b3',
      'part1@x',
    ]);
    expect(cidKey('<Image001.PNG@01D>')).toBe('image001.png@01d');
  });
});

describe('keyboard shortcuts', () => {
  const key = (over: Partial<KeyInfo>): KeyInfo => ({
    key: 'j',
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    targetTag: 'BODY',
    targetEditable: false,
    ...over,
  });

  it('turns plain keys outside form fields into shortcuts', () => {
    expect(shortcutKey(key({}))).toBe('j');
    expect(shortcutKey(key({ key: '?' }))).toBe('?');
    expect(shortcutKey(key({ key: 'Enter' }))).toBe('Enter');
  });

  it('leaves typing and browser combinations alone', () => {
    expect(shortcutKey(key({ targetTag: 'TEXTAREA' }))).toBeNull();
    expect(shortcutKey(key({ targetTag: 'INPUT' }))).toBeNull();
    expect(shortcutKey(key({ targetEditable: true }))).toBeNull();
    expect(shortcutKey(key({ ctrlKey: true }))).toBeNull();
    expect(shortcutKey(key({ key: 'ArrowDown' }))).toBeNull();
  });
});

describe('config.json', () => {
  it('reads the local and the Cognito shapes, taking the region from the user pool id', () => {
    expect(parseConfig({ auth: 'local', apiUrl: '' })).toEqual({ auth: 'local', apiUrl: '' });
    expect(
      parseConfig({ auth: 'cognito', apiUrl: 'https://api.example', userPoolId: 'eu-west-1_AbC', userPoolClientId: 'client' }),
    ).toEqual({
      auth: 'cognito',
      apiUrl: 'https://api.example',
      region: 'eu-west-1',
      userPoolId: 'eu-west-1_AbC',
      userPoolClientId: 'client',
    });
  });

  it('names the field that is missing or wrong', () => {
    expect(() => parseConfig({ auth: 'cognito', userPoolId: 'eu-west-1_AbC' })).toThrow(/"userPoolClientId"/);
    expect(() => parseConfig({ auth: 'saml' })).toThrow(/"auth"/);
    expect(() => parseConfig(null)).toThrow(/JSON object/);
  });
});

describe('tokens', () => {
  const token = (claims: object): string => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

  it('reads the claims and expiry of a JWT, also with non-ASCII names', () => {
    expect(jwtClaims(token({ email: 'zoë@example.com', name: 'Zoë' }))).toEqual({ email: 'zoë@example.com', name: 'Zoë' });
    expect(jwtExpiry(token({ exp: 1_700_000_000 }), 0)).toBe(1_700_000_000_000);
  });

  it('assumes an hour when a token is unreadable or carries no expiry', () => {
    expect(jwtClaims('garbage')).toEqual({});
    expect(jwtExpiry('a.%%%.c', 1000)).toBe(1000 + 3_600_000);
  });

  it('signs in from a `sesdesk open` link, and from nothing else', () => {
    const now = 1_700_000_000_000;
    const linked = token({ email: 'ada@desk.localhost', name: 'Ada Agent', exp: now / 1000 + 3600 });
    expect(sessionFromLink(`#sign-in=${linked}`, now)).toEqual({
      email: 'ada@desk.localhost',
      name: 'Ada Agent',
      token: linked,
      expiresAt: now + 3_600_000,
    });
    // Expired (or about to), without an expiry or an email, malformed, or another hash: no session.
    expect(sessionFromLink(`#sign-in=${token({ email: 'ada@desk.localhost', exp: now / 1000 + 30 })}`, now)).toBeNull();
    expect(sessionFromLink(`#sign-in=${token({ email: 'ada@desk.localhost' })}`, now)).toBeNull();
    expect(sessionFromLink(`#sign-in=${token({ name: 'Ada', exp: now / 1000 + 3600 })}`, now)).toBeNull();
    expect(sessionFromLink(`#sign-in=${linked}<script>`, now)).toBeNull();
    expect(sessionFromLink(`#/tickets/${linked}`, now)).toBeNull();
    expect(sessionFromLink('', now)).toBeNull();
  });
});

describe('settings placeholders', () => {
  it('lists the same placeholders as the core templates', () => {
    expect([...TEMPLATE_PLACEHOLDERS]).toEqual([...CORE_PLACEHOLDERS]);
  });
});
