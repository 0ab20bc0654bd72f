// web: human wording of times, sizes, addresses and threading rules
import type { Mailbox, SenderAuthentication, ThreadedBy } from '../../../functions/core/types';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "5 min ago", "3 h ago", "yesterday", then a short date. */
export function relativeTime(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const ago = now - at;
  if (ago < MINUTE) return 'just now';
  if (ago < HOUR) return `${Math.floor(ago / MINUTE)} min ago`;
  if (ago < DAY) return `${Math.floor(ago / HOUR)} h ago`;
  if (ago < 2 * DAY) return 'yesterday';
  const date = new Date(at);
  const sameYear = date.getFullYear() === new Date(now).getFullYear();
  return date.toLocaleDateString(
    undefined,
    sameYear ? { month: 'short', day: 'numeric' } : { year: 'numeric', month: 'short', day: 'numeric' },
  );
}

/** Full local date and time, for tooltips and `<time>` titles. */
export function fullTime(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? iso : new Date(at).toLocaleString();
}

/** "Ada Lovelace <ada@example.com>", or just the address. */
export function mailboxLabel(mailbox: Mailbox): string {
  return mailbox.name && mailbox.name !== mailbox.address ? `${mailbox.name} <${mailbox.address}>` : mailbox.address;
}

/** The name when there is one, else the address. */
export function mailboxName(mailbox: Mailbox): string {
  return mailbox.name || mailbox.address;
}

const THREADED_BY: Record<ThreadedBy, string> = {
  'reply-token': 'threaded by reply token',
  'message-id': 'threaded by Message-ID',
  'subject-tag': 'threaded by subject tag',
  'new-ticket': 'new ticket',
  agent: 'written in the dashboard',
};

/** Which threading rule put a message on its ticket, in words. */
export function threadedByLabel(threadedBy: ThreadedBy): string {
  return THREADED_BY[threadedBy];
}

/** "512 B", "12 KB", "3.4 MB". */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Splits a comma-separated label field into distinct, trimmed labels. */
export function parseLabels(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((label) => label.trim())
        .filter(Boolean),
    ),
  ];
}

/** "SPF pass · DKIM none · DMARC fail", leaving out what SES did not say. */
export function authenticationSummary(auth: SenderAuthentication): string {
  return (['spf', 'dkim', 'dmarc'] as const)
    .filter((method) => auth[method] !== null)
    .map((method) => `${method.toUpperCase()} ${auth[method]}`)
    .join(' · ');
}
