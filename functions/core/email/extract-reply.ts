// core: reply extraction (placeholder signature; the real module replaces this)

/** Returns only what the sender newly wrote in a plain-text body. */
export function extractReply(text: string): string {
  return text.trim();
}

/** Returns only what the sender newly wrote in an HTML body, as plain text. */
export function extractReplyFromHtml(html: string): string {
  return html.replace(/<[^>]*>/g, '').trim();
}
