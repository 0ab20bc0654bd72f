// test support: fast-check arbitraries for raw MIME (well-formed, mutated, seeded from real files) and hostile reply bodies
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { FIXTURE_MAIL, fixtureMailPath } from './fixture-mail';

// Cases are plain data (a message model or a seed file's path, plus mutation recipes) and rendered to bytes
// inside the property, so a failing case prints as a short, readable recipe instead of a 200 KB buffer.

/** Charsets mail declares and iconv-lite can write; `x-unknown` stays a label only (written as UTF-8). */
const CHARSETS = [
  'utf-8',
  'iso-8859-1',
  'windows-1252',
  'iso-8859-2',
  'koi8-r',
  'shift_jis',
  'gb2312',
  'big5',
  'euc-kr',
  'utf-16le',
  'utf-7',
  'x-unknown',
] as const;
type Charset = (typeof CHARSETS)[number];

/** Labels that lie: unknown, empty, misspelt, or multi-byte encodings over single-byte text. */
const BAD_CHARSET_LABELS = [
  'x-unknown-8bit',
  '',
  '"',
  'utf8mb4',
  'unicode-1-1-utf-7',
  'ucs-2',
  'utf-32',
  'iso-2022-jp',
  'hz-gb-2312',
  'ansi_x3.4-1968',
  '__proto__',
  'constructor',
  'utf-16',
  'cp1252"; x="',
  'a'.repeat(100),
] as const;

const WORDS = [
  'hello',
  'Grüße',
  'Привет',
  'こんにちは',
  '你好',
  '안녕하세요',
  'Ωμέγα',
  'Zażółć',
  '😀👍',
  'naïve café',
  '[#42]',
  'Re:',
  'Fwd:',
  '=?',
  '?=',
  'boundary',
  '--',
  '>',
  'On Mon wrote:',
  '\t',
  '\u200b',
  '\ufeff',
] as const;

export type TransferEncoding = '7bit' | '8bit' | 'quoted-printable' | 'base64';
const ENCODINGS: readonly TransferEncoding[] = ['7bit', '8bit', 'quoted-printable', 'base64'];

/** One MIME part of a generated message. */
export type MimePart =
  | {
      readonly kind: 'text';
      readonly subtype: 'plain' | 'html';
      readonly charset: Charset;
      readonly encoding: TransferEncoding;
      readonly text: string;
      readonly cids: readonly string[];
    }
  | {
      readonly kind: 'binary';
      readonly contentType: string;
      readonly filename: string | null;
      readonly cid: string | null;
      readonly inline: boolean;
      readonly bytes: readonly number[];
    }
  | {
      readonly kind: 'multipart';
      readonly subtype: 'mixed' | 'alternative' | 'related' | 'report';
      readonly boundary: string;
      readonly parts: readonly MimePart[];
    }
  | { readonly kind: 'message'; readonly message: MimeMessage };

/** A generated message: top-level header lines (already encoded) and its body part. */
export interface MimeMessage {
  readonly headers: readonly (readonly [string, string])[];
  readonly body: MimePart;
}

/** A way to damage raw bytes; positions are fractions of the length so they fit any message. */
export type MimeMutation =
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'flip-bytes'; readonly at: readonly number[]; readonly values: readonly number[] }
  | {
      readonly kind: 'corrupt-boundary';
      readonly variant: 'drop-close' | 'rename-delimiters' | 'strip-dashes' | 'remove-param' | 'empty-param' | 'prefix-clash';
    }
  | { readonly kind: 'relabel-charset'; readonly label: string }
  | { readonly kind: 'huge-header'; readonly bytes: number; readonly folded: boolean }
  | { readonly kind: 'many-headers'; readonly count: number }
  | { readonly kind: 'deep-nesting'; readonly levels: number; readonly via: 'multipart' | 'rfc822' }
  | { readonly kind: 'nul-bytes'; readonly at: readonly number[]; readonly run: number }
  | { readonly kind: 'line-endings'; readonly style: 'lf' | 'cr' | 'mixed' | 'cr-cr-lf' }
  | {
      readonly kind: 'bad-transfer-encoding';
      readonly encoding: 'base64' | 'quoted-printable' | 'x-uuencode' | 'bogus';
      readonly garbage: string;
    }
  | { readonly kind: 'overlong-encoded-word'; readonly length: number; readonly words: number; readonly charset: string }
  | { readonly kind: 'address-run-header'; readonly name: string; readonly piece: 'a' | '.'; readonly length: number };

/** A fuzz case: where the bytes come from (a generated model or a seed message file) and what is done to them. */
export interface MimeCase {
  readonly source: { readonly model: MimeMessage } | { readonly file: string };
  readonly mutations: readonly MimeMutation[];
}

// ---------------------------------------------------------------- encoding helpers

function encodeText(text: string, charset: Charset): Buffer {
  return charset === 'x-unknown' ? Buffer.from(text, 'utf8') : iconv.encode(text, charset);
}

function qEncodeWord(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) {
    if (byte === 0x20) out += '_';
    else if (byte > 0x20 && byte < 0x7f && byte !== 0x3d && byte !== 0x3f && byte !== 0x5f) out += String.fromCharCode(byte);
    else out += `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** An RFC 2047 encoded word (`=?charset?B|Q?...?=`) for the text in that charset. */
export function encodedWord(text: string, charset: Charset, form: 'B' | 'Q'): string {
  const bytes = encodeText(text, charset);
  return `=?${charset}?${form}?${form === 'B' ? bytes.toString('base64') : qEncodeWord(bytes)}?=`;
}

function quotedPrintable(bytes: Buffer): string {
  let out = '';
  let line = 0;
  for (const byte of bytes) {
    const literal = byte === 0x0a || (byte >= 0x20 && byte < 0x7f && byte !== 0x3d);
    const piece = byte === 0x0a ? '\r\n' : literal ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    if (byte !== 0x0a && line + piece.length > 75) {
      out += '=\r\n';
      line = 0;
    }
    out += piece;
    line = byte === 0x0a ? 0 : line + piece.length;
  }
  return out;
}

function transferEncode(bytes: Buffer, encoding: TransferEncoding): Buffer {
  if (encoding === 'base64') return Buffer.from((bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n'), 'latin1');
  if (encoding === 'quoted-printable') return Buffer.from(quotedPrintable(bytes), 'latin1');
  return Buffer.from(bytes.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// ---------------------------------------------------------------- rendering

function partHeaders(part: MimePart): string[] {
  switch (part.kind) {
    case 'text':
      return [`Content-Type: text/${part.subtype}; charset="${part.charset}"`, `Content-Transfer-Encoding: ${part.encoding}`];
    case 'binary': {
      const name = part.filename === null ? '' : `; name="${part.filename}"`;
      const lines = [`Content-Type: ${part.contentType}${name}`, 'Content-Transfer-Encoding: base64'];
      if (part.filename !== null || part.inline)
        lines.push(
          `Content-Disposition: ${part.inline ? 'inline' : 'attachment'}${part.filename === null ? '' : `; filename="${part.filename}"`}`,
        );
      if (part.cid !== null) lines.push(`Content-ID: <${part.cid}>`);
      return lines;
    }
    case 'multipart': {
      const report = part.subtype === 'report' ? '; report-type=delivery-status' : '';
      return [`Content-Type: multipart/${part.subtype}; boundary="${part.boundary}"${report}`];
    }
    case 'message':
      return ['Content-Type: message/rfc822'];
  }
}

function partBody(part: MimePart): Buffer {
  switch (part.kind) {
    case 'text': {
      const images = part.cids.map((cid) => `<img src="cid:${cid}" alt="">`).join('');
      const source =
        part.subtype === 'html'
          ? `<html><body><div>${escapeHtml(part.text).replace(/\n/g, '<br>')}</div>${images}</body></html>`
          : part.text;
      return transferEncode(encodeText(source, part.charset), part.encoding);
    }
    case 'binary':
      return transferEncode(Buffer.from(part.bytes), 'base64');
    case 'multipart': {
      const pieces: Buffer[] = [Buffer.from('This is a multi-part message in MIME format.\r\n', 'latin1')];
      for (const child of part.parts)
        pieces.push(
          Buffer.from(`--${part.boundary}\r\n`, 'latin1'),
          renderEntity(partHeaders(child), partBody(child)),
          Buffer.from('\r\n', 'latin1'),
        );
      pieces.push(Buffer.from(`--${part.boundary}--\r\n`, 'latin1'));
      return Buffer.concat(pieces);
    }
    case 'message':
      return renderMessage(part.message);
  }
}

function renderEntity(headers: readonly string[], body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(headers.map((h) => `${h}\r\n`).join('') + '\r\n', 'utf8'), body]);
}

/** The raw bytes of a generated message (CRLF line endings, 8-bit header text as UTF-8). */
export function renderMessage(message: MimeMessage): Buffer {
  const headers = [...message.headers.map(([name, value]) => `${name}: ${value}`), 'MIME-Version: 1.0', ...partHeaders(message.body)];
  return renderEntity(headers, partBody(message.body));
}

// ---------------------------------------------------------------- mutations

function positions(length: number, fractions: readonly number[]): number[] {
  return fractions.map((f) => Math.min(length - 1, Math.floor(f * length))).filter((p) => p >= 0);
}

function headerEnd(raw: Buffer): number {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const ends = [crlf, lf].filter((i) => i >= 0);
  return ends.length === 0 ? raw.length : Math.min(...ends);
}

function firstLineEnd(raw: Buffer): number {
  const nl = raw.indexOf(0x0a);
  return nl < 0 ? 0 : nl + 1;
}

function insertAt(raw: Buffer, at: number, piece: Buffer): Buffer {
  return Buffer.concat([raw.subarray(0, at), piece, raw.subarray(at)]);
}

function corruptBoundary(raw: Buffer, variant: Extract<MimeMutation, { kind: 'corrupt-boundary' }>['variant']): Buffer {
  const text = raw.toString('latin1');
  const match = /boundary="?([^";\r\n]+)"?/i.exec(text);
  if (!match || !match[1]) return raw;
  const boundary = match[1];
  const escaped = boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let out = text;
  switch (variant) {
    case 'drop-close':
      out = text.split(`--${boundary}--`).join('');
      break;
    case 'rename-delimiters':
      out = text.replace(new RegExp(`^--${escaped}`, 'gm'), `--${boundary}X`);
      break;
    case 'strip-dashes':
      out = text.replace(new RegExp(`^--${escaped}`, 'gm'), boundary);
      break;
    case 'remove-param':
      out = text.replace(match[0], '');
      break;
    case 'empty-param':
      out = text.replace(match[0], 'boundary=""');
      break;
    case 'prefix-clash':
      // An inner boundary that starts with the outer one confuses naive splitters.
      out = text
        .replace(match[0], `boundary="${boundary.slice(0, 1)}"`)
        .replace(new RegExp(`^--${escaped}`, 'gm'), `--${boundary.slice(0, 1)}\r\n--${boundary}`);
      break;
  }
  return Buffer.from(out, 'latin1');
}

function nest(raw: Buffer, levels: number, via: 'multipart' | 'rfc822'): Buffer {
  const head = 'From: nest@example.com\r\nTo: support@desk.localhost\r\nSubject: nested\r\nMIME-Version: 1.0\r\n';
  const opens: string[] = [];
  const closes: string[] = [];
  for (let i = 0; i < levels; i++) {
    if (via === 'multipart') {
      opens.push(`Content-Type: multipart/mixed; boundary="n${i}"\r\n\r\n--n${i}\r\n`);
      closes.unshift(`\r\n--n${i}--\r\n`);
    } else {
      opens.push(`Content-Type: message/rfc822\r\n\r\nFrom: level${i}@example.com\r\nSubject: level ${i}\r\nMIME-Version: 1.0\r\n`);
    }
  }
  return Buffer.concat([Buffer.from(head + opens.join(''), 'latin1'), raw, Buffer.from(closes.join(''), 'latin1')]);
}

function applyMutation(raw: Buffer, m: MimeMutation): Buffer {
  switch (m.kind) {
    case 'truncate':
      return raw.subarray(0, Math.floor(m.at * raw.length));
    case 'flip-bytes': {
      const out = Buffer.from(raw);
      positions(out.length, m.at).forEach((p, i) => (out[p] = m.values[i % m.values.length] ?? 0));
      return out;
    }
    case 'corrupt-boundary':
      return corruptBoundary(raw, m.variant);
    case 'relabel-charset': {
      const text = raw
        .toString('latin1')
        .replace(/charset="?[^";\s]*"?/gi, `charset="${m.label}"`)
        .replace(/=\?[^?\s]+\?([BbQq])\?/g, `=?${m.label}?$1?`);
      return Buffer.from(text, 'latin1');
    }
    case 'huge-header': {
      const value = m.folded ? ('x'.repeat(70) + '\r\n ').repeat(Math.ceil(m.bytes / 73)) : 'x'.repeat(m.bytes);
      return insertAt(raw, firstLineEnd(raw), Buffer.from(`X-Huge: ${value}\r\n`, 'latin1'));
    }
    case 'many-headers': {
      const lines = Array.from({ length: m.count }, (_, i) => `X-Header-${i % 50}: value ${i}\r\n`).join('');
      return insertAt(raw, firstLineEnd(raw), Buffer.from(lines, 'latin1'));
    }
    case 'deep-nesting':
      return nest(raw, m.levels, m.via);
    case 'nul-bytes': {
      let out = raw;
      for (const p of positions(raw.length, m.at).sort((a, b) => b - a)) out = insertAt(out, p, Buffer.alloc(m.run));
      return out;
    }
    case 'line-endings': {
      const text = raw.toString('latin1').replace(/\r\n|\r|\n/g, '\n');
      if (m.style === 'lf') return Buffer.from(text, 'latin1');
      if (m.style === 'cr') return Buffer.from(text.replace(/\n/g, '\r'), 'latin1');
      if (m.style === 'cr-cr-lf') return Buffer.from(text.replace(/\n/g, '\r\r\n'), 'latin1');
      let i = 0;
      return Buffer.from(
        text.replace(/\n/g, () => ['\r\n', '\n', '\r'][i++ % 3] ?? '\n'),
        'latin1',
      );
    }
    case 'bad-transfer-encoding': {
      const relabelled = raw.toString('latin1').replace(/Content-Transfer-Encoding:[^\r\n]*/gi, `Content-Transfer-Encoding: ${m.encoding}`);
      const withLabel = /Content-Transfer-Encoding:/i.test(relabelled)
        ? relabelled
        : `Content-Transfer-Encoding: ${m.encoding}\r\n${relabelled}`;
      const buffer = Buffer.from(withLabel, 'latin1');
      const end = headerEnd(buffer);
      return insertAt(buffer, Math.min(buffer.length, end + 4), Buffer.from(`${m.garbage}\r\n`, 'latin1'));
    }
    case 'overlong-encoded-word': {
      const long = `=?${m.charset}?B?${Buffer.from('ü'.repeat(m.length)).toString('base64')}?=`;
      const many = Array.from({ length: m.words }, (_, i) => `=?${m.charset}?Q?w${i}=C3=BC?=`).join(' ');
      return insertAt(
        raw,
        firstLineEnd(raw),
        Buffer.from(`Subject: ${long} ${many}\r\nFrom: =?${m.charset}?Q?${'=FF'.repeat(m.length % 5000)}?= <x@example.com>\r\n`, 'latin1'),
      );
    }
    case 'address-run-header':
      return insertAt(raw, 0, Buffer.from(`${m.name}: <${m.piece.repeat(m.length)}x>\r\n`, 'latin1'));
  }
}

/** The raw bytes a fuzz case stands for: the model or seed file, then each mutation in order. */
export function renderMimeCase(c: MimeCase): Buffer {
  const base = 'model' in c.source ? renderMessage(c.source.model) : readFileSync(c.source.file);
  return c.mutations.reduce(applyMutation, base);
}

/** The project's own test mail (test/fixtures/mail), the seeds `npm test` fuzzes from. */
export const FIXTURE_SEEDS: readonly string[] = FIXTURE_MAIL.map(fixtureMailPath);

// ---------------------------------------------------------------- arbitraries

// fc.double leans towards tiny values, which would put every position at byte 0.
const fractionArb = fc.integer({ min: 0, max: 100_000 }).map((n) => n / 100_000);

const textArb = fc
  .array(
    fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...WORDS) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) }),
    { maxLength: 30 },
  )
  .chain((words) => fc.constantFrom('\n', ' ', '\n\n').map((sep) => words.join(sep)));

const quotedReplyArb = fc.tuple(textArb, textArb).map(
  ([reply, quoted]) =>
    `${reply}\n\nOn Mon, 1 Jan 2024 at 10:00, Ann <ann@example.com> wrote:\n${quoted
      .split('\n')
      .map((l) => `> ${l}`)
      .join('\n')}\n-- \nAnn`,
);

const charsetArb = fc.constantFrom(...CHARSETS);
const tokenArb = fc.stringMatching(/^[a-z0-9]{1,12}$/);
const boundaryArb = tokenArb.map((t) => `=_b_${t}`);
const cidArb = tokenArb.map((t) => `${t}@example.com`);
const addressArb = fc.oneof(
  fc.emailAddress({ size: 'xsmall' }),
  fc.constantFrom(
    'support@desk.localhost',
    'support+0123456789abcdefghjkmnpqrs012345abcdefghjkmnpqrs@desk.localhost',
    'MAILER-DAEMON@example.com',
    '<>',
    'undisclosed-recipients:;',
    '"quoted@local"@example.com',
  ),
);

const headerTextArb = fc
  .tuple(textArb, charsetArb, fc.constantFrom<'B' | 'Q'>('B', 'Q'), fc.boolean())
  .map(([text, charset, form, encode]) =>
    encode ? encodedWord(text.slice(0, 40), charset, form) : text.replace(/[\r\n]/g, ' ').slice(0, 200),
  );

const mailboxArb = fc
  .tuple(headerTextArb, addressArb)
  .map(([name, address]) => (name.trim() === '' ? address : `"${name.replace(/"/g, '')}" <${address}>`));
const messageIdArb = tokenArb.map((t) => `<${t}@example.com>`);

const extraHeadersArb = fc.subarray([
  ['Auto-Submitted', 'auto-replied'],
  ['Precedence', 'bulk'],
  ['X-Autoreply', 'yes'],
  ['X-Auto-Response-Suppress', 'All'],
  ['X-SES-Spam-Verdict', 'FAIL'],
  ['X-SES-Virus-Verdict', 'PASS'],
  ['Return-Path', '<>'],
  ['Delivered-To', 'support@desk.localhost'],
  ['Received', 'from mx by mx.example.com for <support@desk.localhost>; Mon, 1 Jan 2024 10:00:00 +0000'],
  ['__proto__', 'polluted'],
  ['Date', 'not a date at all'],
] as const);

const headersArb = fc
  .record({
    from: mailboxArb,
    to: fc.array(mailboxArb, { minLength: 1, maxLength: 3 }),
    cc: fc.option(fc.array(mailboxArb, { minLength: 1, maxLength: 3 }), { nil: null }),
    subject: fc.array(headerTextArb, { maxLength: 4 }).map((words) => words.join(' ')),
    date: fc.option(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), {
      nil: null,
    }),
    messageId: fc.option(messageIdArb, { nil: null }),
    inReplyTo: fc.option(messageIdArb, { nil: null }),
    references: fc.array(messageIdArb, { maxLength: 4 }),
    extra: extraHeadersArb,
  })
  .map((h) => {
    const lines: [string, string][] = [
      ['From', h.from],
      ['To', h.to.join(', ')],
    ];
    if (h.cc) lines.push(['Cc', h.cc.join(', ')]);
    lines.push(['Subject', h.subject]);
    if (h.date) lines.push(['Date', h.date.toUTCString().replace('GMT', '+0000')]);
    if (h.messageId) lines.push(['Message-ID', h.messageId]);
    if (h.inReplyTo) lines.push(['In-Reply-To', h.inReplyTo]);
    if (h.references.length > 0) lines.push(['References', h.references.join(h.references.length > 2 ? ',' : ' ')]);
    for (const [name, value] of h.extra) lines.push([name, value]);
    return lines;
  });

const binaryArb: fc.Arbitrary<MimePart> = fc.record({
  kind: fc.constant('binary' as const),
  contentType: fc.constantFrom(
    'application/pdf',
    'image/png',
    'application/octet-stream',
    'text/calendar',
    'message/delivery-status',
    'application/x-unknown',
  ),
  filename: fc.option(
    fc.oneof(fc.constantFrom('report.pdf', 'bild ü.png', '../../etc/passwd', 'a'.repeat(300), '=?utf-8?B?w7wucGRm?='), tokenArb),
    { nil: null },
  ),
  cid: fc.option(cidArb, { nil: null }),
  inline: fc.boolean(),
  bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 200 }),
});

const textPartArb = (subtype: 'plain' | 'html', cids: fc.Arbitrary<readonly string[]>): fc.Arbitrary<MimePart> =>
  fc.record({
    kind: fc.constant('text' as const),
    subtype: fc.constant(subtype),
    charset: charsetArb,
    encoding: fc.constantFrom(...ENCODINGS),
    text: fc.oneof(textArb, quotedReplyArb),
    cids,
  });

const { part: partArb } = fc.letrec<{ part: MimePart; multipart: MimePart; message: MimePart }>((tie) => ({
  part: fc.oneof(
    { maxDepth: 4, depthIdentifier: 'mime' },
    textPartArb('plain', fc.constant([])),
    textPartArb('html', fc.array(cidArb, { maxLength: 2 })),
    binaryArb,
    tie('multipart'),
    tie('message'),
  ),
  multipart: fc.record({
    kind: fc.constant('multipart' as const),
    subtype: fc.constantFrom('mixed', 'alternative', 'related', 'report'),
    boundary: boundaryArb,
    parts: fc.array(tie('part'), { minLength: 1, maxLength: 4, depthIdentifier: 'mime' }),
  }),
  message: fc.record({
    kind: fc.constant('message' as const),
    message: fc.record({ headers: headersArb, body: tie('part') }),
  }),
}));

/** Well-formed messages: RFC 2047 headers in many charsets, nested multiparts, message/rfc822, attachments, cid images. */
export const wellFormedMessage: fc.Arbitrary<MimeMessage> = fc.record({ headers: headersArb, body: partArb });

/** A header the classifier reads addresses from, holding one long run of address characters and no `@`. */
function addressRunMutation(lengths: readonly number[]): fc.Arbitrary<MimeMutation> {
  return fc.record({
    kind: fc.constant('address-run-header' as const),
    name: fc.constantFrom('Return-Path', 'X-Failed-Recipients', 'Delivered-To', 'X-Original-To'),
    piece: fc.constantFrom<'a' | '.'>('a', '.'),
    length: fc.constantFrom(...lengths),
  });
}

/**
 * Every kind of damage, with sizes that stay hostile but bounded: 200 KB header lines and one past the
 * parser's 1 MB header limit, 5,000 headers, 200 levels of nesting, 20,000-character encoded words.
 */
export const mimeMutation: fc.Arbitrary<MimeMutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fractionArb }),
  fc.record({
    kind: fc.constant('flip-bytes' as const),
    at: fc.array(fractionArb, { minLength: 1, maxLength: 20 }),
    values: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 5 }),
  }),
  fc.record({
    kind: fc.constant('corrupt-boundary' as const),
    variant: fc.constantFrom('drop-close', 'rename-delimiters', 'strip-dashes', 'remove-param', 'empty-param', 'prefix-clash'),
  }),
  fc.record({
    kind: fc.constant('relabel-charset' as const),
    label: fc.oneof(fc.constantFrom(...BAD_CHARSET_LABELS), fc.constantFrom(...CHARSETS)),
  }),
  fc.record({ kind: fc.constant('huge-header' as const), bytes: fc.constantFrom(10_000, 200_000, 1_100_000), folded: fc.boolean() }),
  fc.record({ kind: fc.constant('many-headers' as const), count: fc.constantFrom(1_000, 5_000) }),
  fc.record({ kind: fc.constant('deep-nesting' as const), levels: fc.constantFrom(20, 200), via: fc.constantFrom('multipart', 'rfc822') }),
  fc.record({
    kind: fc.constant('nul-bytes' as const),
    at: fc.array(fractionArb, { minLength: 1, maxLength: 5 }),
    run: fc.integer({ min: 1, max: 64 }),
  }),
  fc.record({ kind: fc.constant('line-endings' as const), style: fc.constantFrom('lf', 'cr', 'mixed', 'cr-cr-lf') }),
  fc.record({
    kind: fc.constant('bad-transfer-encoding' as const),
    encoding: fc.constantFrom('base64', 'quoted-printable', 'x-uuencode', 'bogus'),
    garbage: fc.constantFrom(
      '@@@!!!***',
      '=ZZ=Q=\r\n===',
      'QUJD=RE=',
      'begin 644 x\r\n!!!!\r\nend',
      '=\r\n'.repeat(500),
      '===='.repeat(2000),
    ),
  }),
  addressRunMutation([1_000, 10_000]),
  fc.record({
    kind: fc.constant('overlong-encoded-word' as const),
    length: fc.constantFrom(100, 20_000),
    words: fc.constantFrom(1, 1_000),
    charset: fc.oneof(fc.constantFrom(...CHARSETS), fc.constantFrom(...BAD_CHARSET_LABELS)),
  }),
);

/** Fuzz cases: generated messages or the given seed files (absolute paths), each with zero to three mutations. */
export function mimeCaseFrom(seeds: readonly string[]): fc.Arbitrary<MimeCase> {
  return fc.record({
    source: fc.oneof(
      { weight: 2, arbitrary: wellFormedMessage.map((model) => ({ model })) },
      { weight: 1, arbitrary: fc.constantFrom(...seeds).map((file) => ({ file })) },
    ),
    mutations: fc.array(mimeMutation, { maxLength: 3 }),
  });
}

/** {@link mimeCaseFrom} seeded with the project's own test mail. */
export const mimeCase: fc.Arbitrary<MimeCase> = mimeCaseFrom(FIXTURE_SEEDS);

/**
 * Generated or seed messages with one 100,000-character address header: linear code reads it in
 * milliseconds, a backtracking address pattern takes minutes. Kept apart from {@link mimeCaseFrom} so a
 * regression fails on its first case instead of shrinking through many slow ones.
 */
export function longAddressHeaderCaseFrom(seeds: readonly string[]): fc.Arbitrary<MimeCase> {
  return fc.record({
    source: fc.oneof(
      wellFormedMessage.map((model) => ({ model })),
      fc.constantFrom(...seeds).map((file) => ({ file })),
    ),
    mutations: addressRunMutation([100_000]).map((m) => [m]),
  });
}

/** {@link longAddressHeaderCaseFrom} seeded with the project's own test mail. */
export const longAddressHeaderCase: fc.Arbitrary<MimeCase> = longAddressHeaderCaseFrom(FIXTURE_SEEDS);

// ---------------------------------------------------------------- reply bodies

/** A generated body that prints as its recipe (`"> ".repeat(50000)`) in a counterexample, not as megabytes of text. */
export class FuzzText {
  constructor(
    readonly text: string,
    private readonly recipe: string,
  ) {}

  [fc.toStringMethod](): string {
    return this.recipe;
  }
}

const literal = (text: string): FuzzText =>
  new FuzzText(text, text.length > 2_000 ? `${JSON.stringify(text.slice(0, 2_000))}… (${text.length} chars)` : JSON.stringify(text));

const replyLineArb = fc.oneof(
  textArb,
  fc.integer({ min: 1, max: 50 }).map((n) => `${'>'.repeat(n)} quoted`),
  fc.constantFrom(
    'On Mon, 1 Jan 2024 at 10:00, Ann <ann@example.com> wrote:',
    'On Mon, 1 Jan 2024 at 10:00, Ann',
    '<ann@example.com> wrote:',
    'Am 01.01.2024 um 10:00 schrieb Ann:',
    'Le lun. 1 janv. 2024 à 10:00, Ann a écrit :',
    '-- ',
    '--',
    '__________',
    '-----Original Message-----',
    'From: Ann <ann@example.com>',
    'Sent: Monday, January 1, 2024 10:00 AM',
    'Sent from my iPhone',
    '> ',
    '>',
    '',
    'On',
  ),
);

// Up to 50,000 repeats (about 700 KB, the size of the corpus's long-quote case): enough for quadratic
// code to take minutes, while linear code stays far inside the properties' time budget.
const REPEATS = [1_000, 10_000, 50_000] as const;
const REPEATED_PIECES = ['>', '> ', 'On ', 'On Mon wrote:\n', '-- \n', ' ', '\t', 'a ', '>\n', 'On\n', '\n', 'wrote:'] as const;
const repeatedArb = fc.tuple(fc.constantFrom(...REPEATED_PIECES), fc.constantFrom(...REPEATS));

/** Plain-text bodies for reply extraction: structured lines plus pathological repetitions (`>` runs, `On` lines, `-- `). */
export const replyText: fc.Arbitrary<FuzzText> = fc.oneof(
  fc.array(replyLineArb, { maxLength: 60 }).chain((lines) => fc.constantFrom('\n', '\r\n', '\r').map((eol) => literal(lines.join(eol)))),
  fc
    .tuple(textArb, repeatedArb, textArb)
    .map(
      ([a, [piece, times], c]) =>
        new FuzzText(
          `${a}\n${piece.repeat(times)}\n${c}`,
          `${JSON.stringify(a)} + "\\n" + ${JSON.stringify(piece)}.repeat(${times}) + "\\n" + ${JSON.stringify(c)}`,
        ),
    ),
  fc.string({ unit: 'binary', maxLength: 400 }).map(literal),
);

const htmlPieceArb = fc.oneof(
  textArb.map(escapeHtml),
  fc.constantFrom(
    '<div class="gmail_quote">On Mon, Ann wrote:<blockquote>old</blockquote></div>',
    '<blockquote type="cite">cited</blockquote>',
    '<div id="divRplyFwdMsg">From: Ann</div><p>original</p>',
    '<div style="border-top:solid #B5C4DF 1.0pt">From: Ann</div>',
    '<div class="gmail_signature">sig</div>',
    '<ol><li>one<li>two<li>three</ol>',
    '<table><tr><td>a<td>b</tr></table>',
    '<pre>  keep\n  this</pre>',
    '<p>para</p>',
    '<br>',
    '<!-- comment -->',
    '<script>alert(1)</script>',
    '<div',
    '</blockquote>',
    '&nbsp;',
    '&#x1F600;',
    `<p style="${'a'.repeat(2_000)}">x</p>`,
  ),
);

/** HTML bodies for reply extraction: client quote containers, broken tags, deep nesting and long repetitions. */
export const replyHtml: fc.Arbitrary<FuzzText> = fc.oneof(
  fc.array(htmlPieceArb, { maxLength: 40 }).map((pieces) => literal(pieces.join(''))),
  fc
    .tuple(fc.constantFrom('blockquote', 'div', 'ul', 'p', 'span', 'table'), fc.constantFrom(100, 2_000, 10_000), fc.boolean())
    .map(
      ([tag, depth, closed]) =>
        new FuzzText(
          `reply${`<${tag}>`.repeat(depth)}deep${closed ? `</${tag}>`.repeat(depth) : ''}`,
          `"reply" + "<${tag}>".repeat(${depth}) + "deep"${closed ? ` + "</${tag}>".repeat(${depth})` : ''}`,
        ),
    ),
  repeatedArb.map(
    ([piece, times]) =>
      new FuzzText(
        `<div>${escapeHtml(piece.repeat(times))}</div>`,
        `"<div>" + ${JSON.stringify(escapeHtml(piece))}.repeat(${times}) + "</div>"`,
      ),
  ),
  fc.string({ unit: 'binary', maxLength: 400 }).map(literal),
);
