// local stack: the SES outbox as a web page: each sent email with its threading headers, text and raw MIME
import { outboxHeader, type OutboxEmail } from './ses-outbox';

/** The page lists this many of the latest emails; `/store` has them all. */
export const OUTBOX_PAGE_LIMIT = 100;

/** Headers that decide how mail clients and the desk thread a conversation, shown for every email. */
const THREADING_HEADERS = ['Message-ID', 'In-Reply-To', 'References', 'Reply-To', 'Auto-Submitted'];

/** Nothing on the page runs or loads: styles are inline, the icon is empty. */
export const OUTBOX_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'";

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
header, main { max-width: 62rem; margin: 0 auto; padding: 0 1rem; }
header { padding-top: 1rem; }
h1 { font-size: 1.4rem; margin: 0.5rem 0; }
.mail { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; margin: 1rem 0; padding: 0.75rem 1rem; }
.mail h2 { font-size: 1.05rem; margin: 0 0 0.25rem; }
.meta { color: #59636e; margin: 0 0 0.5rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th { text-align: left; white-space: nowrap; color: #59636e; font-weight: 600; padding: 0.15rem 1rem 0.15rem 0; vertical-align: top; width: 10rem; }
td { font-family: ui-monospace, monospace; word-break: break-all; padding: 0.15rem 0; }
td.absent { color: #8c959f; font-family: inherit; }
details { margin-top: 0.5rem; }
summary { cursor: pointer; color: #0969da; }
pre { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; padding: 0.5rem; border-radius: 4px; margin: 0.25rem 0; }
a { color: #0969da; }
`;

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function headerRows(rows: readonly (readonly [string, string | null])[]): string {
  return rows
    .map(([name, value]) =>
      value === null
        ? `<tr><th>${escape(name)}</th><td class="absent">none</td></tr>`
        : `<tr><th>${escape(name)}</th><td>${escape(value)}</td></tr>`,
    )
    .join('');
}

function mailSection(email: OutboxEmail): string {
  const sent = new Date(email.at * 1000)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
  const to = [...email.destination.to, ...email.destination.cc.map((cc) => `cc ${cc}`)].join(', ');
  const threading = THREADING_HEADERS.map((name) => [name, outboxHeader(email, name)] as const);
  return `<article class="mail">
<h2>${escape(email.subject)}</h2>
<p class="meta"><time datetime="${escape(new Date(email.at * 1000).toISOString())}">${escape(sent)}</time> · from ${escape(email.from)} to ${escape(to)} · SES id ${escape(email.messageId)}</p>
<table aria-label="Threading headers">${headerRows(threading)}</table>
<details open><summary>Text</summary><pre>${escape(email.body.text ?? '(no text part)')}</pre></details>
<details><summary>All ${email.headers.length} headers</summary><table aria-label="All headers">${headerRows(email.headers.map((h) => [h.name, h.value] as const))}</table></details>
<p><a href="${escape(email.rawUrl)}">Raw message (.eml)</a></p>
</article>`;
}

/** The outbox page: the latest {@link OUTBOX_PAGE_LIMIT} emails, newest first; every value is escaped. */
export function renderOutboxPage(emails: readonly OutboxEmail[], keptIn: string | null): string {
  const latest = emails.slice(-OUTBOX_PAGE_LIMIT).reverse();
  const count = emails.length === 1 ? '1 email' : `${emails.length} emails`;
  const shown = emails.length > latest.length ? ` The latest ${latest.length} are shown here.` : '';
  const where = keptIn ? ` Kept in <code>${escape(keptIn)}</code> across restarts.` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>SES outbox · sesdesk</title><link rel="icon" href="data:,"><style>${STYLE}</style></head>
<body><header><h1>SES outbox</h1>
<p>${count} the desk sent through the local SES stand-in, newest first.${shown} JSON at <a href="/store">/store</a>.${where} Reload to see new mail.</p>
</header><main>${latest.map(mailSection).join('\n') || '<p>Nothing sent yet.</p>'}</main></body></html>`;
}
