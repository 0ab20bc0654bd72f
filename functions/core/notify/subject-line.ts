// core: subject lines: a subject without the reply prefixes and the ticket tag that a conversation piles onto it
const REPLY_PREFIX = /^(re|aw|sv)\s*:\s*/i;

/**
 * Removes leading `Re:`/`AW:`/`SV:` (however many) and every occurrence of `tag`, squeezing the spaces left.
 * @example withoutReplyMarks('RE: Re: Printer on fire [#42]', '[#42]') // 'Printer on fire'
 */
export function withoutReplyMarks(subject: string, tag: string): string {
  let clean = subject.trim();
  while (REPLY_PREFIX.test(clean)) clean = clean.replace(REPLY_PREFIX, '');
  return clean.split(tag).join(' ').replace(/\s+/g, ' ').trim();
}
