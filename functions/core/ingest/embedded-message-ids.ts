// core: the Message-IDs of the original mail a bounce or complaint carries inside it
import { normalizeMessageId } from '../ids';
import type { ParsedMail } from '../types';

/** Reading further would only cost time: the returned headers sit near the top of the report. */
const SCAN_LIMIT = 64_000;

/**
 * Finds `Message-ID:` headers of the returned message (in a message/rfc822 or text/rfc822-headers part, or
 * quoted in the text of a plain-text bounce), so a bounce can be tied to the outgoing mail it answers.
 */
export function embeddedMessageIds(mail: ParsedMail): string[] {
  const sources = [mail.text.slice(0, SCAN_LIMIT)];
  for (const part of mail.attachmentContents) {
    if (/^(message\/(rfc822|global)|text\/rfc822-headers|message\/rfc822-headers)/i.test(part.contentType)) {
      sources.push(Buffer.from(part.content.subarray(0, SCAN_LIMIT)).toString('latin1'));
    }
  }
  const ids = new Set<string>();
  for (const source of sources) {
    for (const match of source.matchAll(/^\s*message-id:\s*(<[^<>\s]{1,250}>)/gim)) ids.add(normalizeMessageId(match[1]!));
  }
  return [...ids].slice(0, 10);
}
