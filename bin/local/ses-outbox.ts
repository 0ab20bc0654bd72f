// local stack: the SES outbox: every email the stand-in accepted, with its raw MIME, in memory or kept in a directory
import { appendFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Email } from 'aws-ses-v2-local/dist/store.js';
import { newId } from '../../functions/core/ids';
import { findHeaderEnd } from '../../functions/core/email/parse/repair-headers';

/** One header field of a sent message, unfolded, as it was sent (RFC 2047 words left encoded). */
export interface OutboxHeader {
  readonly name: string;
  readonly value: string;
}

/**
 * One sent message: aws-ses-v2-local's record (addresses are mailparser's display text, e.g.
 * `"Ada" <ada@example.com>`), plus every header of the message and where its raw MIME is served.
 */
export interface OutboxEmail {
  /** The id SES answered with (`ses-<digits>`), not the message's own Message-ID header. */
  readonly messageId: string;
  readonly from: string;
  readonly replyTo: string[];
  readonly destination: { readonly to: string[]; readonly cc: string[]; readonly bcc: string[] };
  readonly subject: string;
  readonly body: { readonly html?: string; readonly text?: string };
  /** `content` is base64. */
  readonly attachments: { readonly content: string; readonly contentType: string; readonly filename?: string; readonly size: number }[];
  /** Every header field of the message as sent, top to bottom: Message-ID, In-Reply-To, References, Auto-Submitted… */
  readonly headers: OutboxHeader[];
  /** Path of the raw message on the outbox server, e.g. `/messages/01j….eml`. */
  readonly rawUrl: string;
  /** Epoch seconds. */
  readonly at: number;
}

const INDEX_FILE = 'index.jsonl';
const RAW_NAME = /^[0-9a-z]{26}$/;

/** The header fields of a raw message, folded lines joined; the body is never read. */
export function headerFields(raw: Uint8Array): OutboxHeader[] {
  const end = findHeaderEnd(raw);
  const block = Buffer.from(raw.buffer, raw.byteOffset, end < 0 ? raw.length : end).toString('utf8');
  const fields: OutboxHeader[] = [];
  for (const line of block.replace(/\r?\n(?=[ \t])/g, '').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0)
      fields.push({
        name: line.slice(0, colon).trim(),
        value: line
          .slice(colon + 1)
          .replace(/\s+/g, ' ')
          .trim(),
      });
  }
  return fields;
}

/** The first value of a header field (case-insensitive), or null. */
export function outboxHeader(email: Pick<OutboxEmail, 'headers'>, name: string): string | null {
  const key = name.toLowerCase();
  return email.headers.find((header) => header.name.toLowerCase() === key)?.value ?? null;
}

/**
 * What the SES stand-in sent, oldest first. Given a directory, each message's raw MIME is a `<id>.eml` file
 * there and `index.jsonl` holds one record per line, so the outbox survives restarts like the desk's own data.
 * @example const outbox = await Outbox.open('.sesdesk/outbox'); await outbox.add(email, raw);
 */
export class Outbox {
  private emails: OutboxEmail[] = [];
  /** Raw messages of an outbox without a directory. */
  private readonly raws = new Map<string, Buffer>();
  /** Appends and clears run one after the other, so index lines never interleave. */
  private writes: Promise<void> = Promise.resolve();

  private constructor(private readonly directory: string | null) {}

  /** Opens an outbox in `directory` (created if missing, earlier mail read back), or in memory for null. */
  static async open(directory: string | null): Promise<Outbox> {
    const outbox = new Outbox(directory);
    if (directory === null) return outbox;
    await mkdir(directory, { recursive: true });
    let index = '';
    try {
      index = await readFile(path.join(directory, INDEX_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const line of index.split('\n')) {
      // A line cut short by a crash mid-write is skipped; its .eml file stays readable on disk.
      const email = parseRecord(line);
      if (email) outbox.emails.push(email);
    }
    return outbox;
  }

  /** The sent mail, oldest first; `since` (epoch seconds) keeps what was sent at or after it. */
  list(since?: number): readonly OutboxEmail[] {
    return since === undefined ? this.emails : this.emails.filter((email) => email.at >= since);
  }

  /** The raw MIME of the message at `rawUrl`'s id, or null. */
  async raw(id: string): Promise<Buffer | null> {
    if (!RAW_NAME.test(id)) return null;
    if (this.directory === null) return this.raws.get(id) ?? null;
    try {
      return await readFile(path.join(this.directory, `${id}.eml`));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** Records one accepted message: aws-ses-v2-local's parsed record and the MIME that was sent. */
  async add(email: Email, raw: Buffer): Promise<OutboxEmail> {
    const id = newId();
    const record: OutboxEmail = { ...email, headers: headerFields(raw), rawUrl: `/messages/${id}.eml` };
    const { directory } = this;
    if (directory === null) this.raws.set(id, raw);
    const write = this.writes.then(async () => {
      if (directory === null) return;
      await writeFile(path.join(directory, `${id}.eml`), raw);
      await appendFile(path.join(directory, INDEX_FILE), `${JSON.stringify(record)}\n`);
    });
    this.writes = write.catch(() => undefined);
    await write;
    this.emails.push(record);
    return record;
  }

  /** Forgets every message, on disk too. */
  async clear(): Promise<void> {
    const { directory } = this;
    this.emails = [];
    this.raws.clear();
    const write = this.writes.then(async () => {
      if (directory === null) return;
      for (const file of await readdir(directory)) {
        if (file.endsWith('.eml')) await rm(path.join(directory, file), { force: true });
      }
      await writeFile(path.join(directory, INDEX_FILE), '');
    });
    this.writes = write.catch(() => undefined);
    await write;
  }
}

function parseRecord(line: string): OutboxEmail | null {
  if (line.trim() === '') return null;
  try {
    const value = JSON.parse(line) as Partial<OutboxEmail>;
    const valid =
      typeof value.messageId === 'string' &&
      typeof value.at === 'number' &&
      typeof value.rawUrl === 'string' &&
      Array.isArray(value.headers) &&
      typeof value.destination === 'object';
    return valid ? (value as OutboxEmail) : null;
  } catch {
    return null;
  }
}
