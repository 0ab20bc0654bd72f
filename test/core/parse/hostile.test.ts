// Hostile input for parseEmail: every case must come back as a contract object, quickly, never throwing
import { describe, expect, it } from 'vitest';
import { parseEmail, toContractJson } from '../../../functions/core/email/parse-email';
import type { ParsedMail } from '../../../functions/core/types';
import { mail } from './build-mail';

async function parseQuickly(raw: Buffer, budgetMs = 8000): Promise<ParsedMail> {
  const started = Date.now();
  const parsed = await parseEmail(raw);
  expect(Date.now() - started).toBeLessThan(budgetMs);
  expect(parsed.messageId).toMatch(/^<[^<>\s]+>$/);
  expect(() => JSON.stringify(toContractJson(parsed))).not.toThrow();
  return parsed;
}

describe('hostile input', () => {
  it('survives a header block larger than the head limit and still reads the other headers', async () => {
    const parsed = await parseQuickly(
      mail('From: a@example.com\r\nSubject: keep me\r\n', `X-Junk: ${'A'.repeat(2 * 1024 * 1024)}\r\n`, 'Message-ID: <ok@x>\r\n\r\nbody'),
    );
    expect(parsed.from.address).toBe('a@example.com');
    expect(parsed.subject).toBe('keep me');
    expect(parsed.messageId).toBe('<ok@x>');
    expect(parsed.warnings.join(' ')).toMatch(/malformed MIME/);
  });

  it('survives thousands of MIME parts, keeping those before the limit and saying the rest were dropped', async () => {
    const parts = Array.from({ length: 5000 }, (_, i) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('');
    const parsed = await parseQuickly(
      mail('From: a@example.com\r\nSubject: many\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n', parts, '--b--\r\n'),
    );
    expect(parsed.subject).toBe('many');
    expect(parsed.text).toContain('part 0');
    expect(parsed.text).not.toContain('part 4999');
    expect(parsed.warnings.join(' ')).toMatch(/more than 1000 MIME parts/);
    expect(parsed.dropped.join(' ')).toMatch(/about 40\d\d further parts/);
  });

  it('survives multiparts nested hundreds deep', async () => {
    const depth = 400;
    const open = Array.from({ length: depth }, (_, i) => `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`).join('');
    const close = Array.from({ length: depth }, (_, i) => `\r\n--b${depth - 1 - i}--`).join('');
    const parsed = await parseQuickly(
      mail('From: a@example.com\r\nSubject: deep\r\n', open, 'Content-Type: text/plain\r\n\r\ninnermost', close, '\r\n'),
    );
    expect(parsed.subject).toBe('deep');
  });

  it.each(['../../etc/passwd', 'x'.repeat(500), 'utf-16', '', '"><script>'])('survives the charset label %j', async (charset) => {
    const parsed = await parseQuickly(
      mail(`From: a@example.com\r\nContent-Type: text/plain; charset="${charset}"\r\n\r\ncaf`, Uint8Array.from([0xe9]), ' ok'),
    );
    expect(parsed.text).toContain('ok');
  });

  it('decodes UTF-7 HTML and still strips the script it smuggles', async () => {
    const parsed = await parseQuickly(
      mail('From: a@example.com\r\nContent-Type: text/html; charset=utf-7\r\n\r\n+ADw-script+AD4-alert(1)+ADw-/script+AD4-Hello'),
    );
    expect(parsed.html?.trim()).toBe('Hello');
  });

  it('does not let __proto__-like header names pollute objects', async () => {
    const parsed = await parseQuickly(
      mail(
        '__proto__: {"polluted": true}\r\nconstructor: x\r\nprototype: y\r\nList-__proto__: <mailto:z@x>\r\nFrom: a@example.com\r\nTo: __proto__@example.com\r\n\r\nhi',
      ),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(parsed.to[0]?.address).toBe('__proto__@example.com');
  });

  it.each([
    ['empty', 'Message-ID: <>'],
    ['nested brackets', 'Message-ID: <<<a@b>>>'],
    ['only spaces', 'Message-ID:    '],
    ['too long', `Message-ID: <${'a'.repeat(5000)}@x>`],
    ['several', 'Message-ID: <one@x> <two@x>'],
  ])('normalises or derives a garbled Message-ID (%s)', async (_label, header) => {
    const parsed = await parseQuickly(mail(`From: a@example.com\r\n${header}\r\nDate: 99 Foo 20245 99:99:99 +9999\r\n\r\nhi`));
    expect(parsed.date).toBeNull();
    expect(parsed.messageId.length).toBeLessThan(1100);
  });

  it('strips NUL bytes from headers and text', async () => {
    const parsed = await parseQuickly(mail('From: "A\0B" <a@example.com>\r\nSubject: x\0y\r\n\r\nbo\0dy'));
    expect(parsed.subject).toBe('xy');
    expect(parsed.from.name).toBe('AB');
    expect(parsed.text).toContain('body');
  });

  it('keeps what it can of truncated base64 and a missing closing boundary', async () => {
    const parsed = await parseQuickly(
      mail(
        'From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\n',
        'Content-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLj',
      ),
    );
    expect(parsed.text).toContain('hello');
    expect(parsed.attachments[0]?.filename).toBe('a.pdf');
  });

  it.each([
    ['empty input', Buffer.alloc(0)],
    ['random bytes', Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7919) % 256))],
    ['a lone boundary line', Buffer.from('--\r\n--\r\n')],
    ['headers only, no blank line', Buffer.from('From: a@example.com\r\nSubject: s')],
  ])('returns a contract object for %s', async (_label, raw) => {
    const parsed = await parseQuickly(raw);
    expect(parsed.classification.kind).toBeDefined();
  });

  it('reads pathological Received and References headers in linear time', async () => {
    const parsed = await parseQuickly(
      mail(
        'From: a@example.com\r\n',
        `Received: ${'for for for '.repeat(30_000)}\r\n`,
        `References: ${'<'.repeat(100_000)}\r\n`,
        `Delivered-To: ${'a'.repeat(100_000)}\r\n\r\nhi`,
      ),
    );
    expect(parsed.references).toEqual([]);
  });
});
