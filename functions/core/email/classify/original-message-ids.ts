// core: the Message-IDs of the original message a bounce or complaint returns, so it can be matched to mail we sent
import { normalizeMessageId } from '../parse/message-ids';
import type { ReportSources } from './report-sources';

/** A report names one original; a few more ids cover sloppy MTAs that quote several. */
const MAX_IDS = 10;
const MESSAGE_ID_FIELD = /^message-id[ \t]*:[ \t]*(.{1,1000})$/gim;

function idsIn(text: string, into: string[]): void {
  for (const match of text.matchAll(MESSAGE_ID_FIELD)) {
    const id = normalizeMessageId(match[1]);
    if (id && !into.includes(id)) into.push(id);
    if (into.length >= MAX_IDS) return;
  }
}

/**
 * The `Message-ID` fields of the returned original: in `message/rfc822` and `text/rfc822-headers` parts, and in
 * the plain-text body where mailparser inlines them or an MTA quotes the original below its explanation. The
 * report's own Message-ID is a header of the report, never in these texts.
 */
export function originalMessageIds(sources: ReportSources): string[] {
  const ids: string[] = [];
  for (const original of sources.originals) idsIn(original, ids);
  if (ids.length < MAX_IDS) idsIn(sources.body, ids);
  return ids;
}
