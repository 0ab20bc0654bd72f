// core: what only mail with HTML needs (the sanitiser, HTML-to-text, the HTML reply walker), loaded with the first such mail
import { compile } from 'html-to-text';
import { separateReplyFromHtml } from './extract-reply-html';
import { nestingDepthExceeds, sanitizeEmailHtml } from './sanitize-html';

export { sanitizeEmailHtml, separateReplyFromHtml };

const htmlConverters = new Map<number, (html: string) => string>();

/** html-to-text's `convert` compiles its options on every call, which costs more than converting a short mail. */
function htmlConverter(maxInputLength: number): (html: string) => string {
  let converter = htmlConverters.get(maxInputLength);
  if (!converter) {
    converter = compile({ limits: { maxDepth: 1000, maxInputLength } });
    htmlConverters.set(maxInputLength, converter);
  }
  return converter;
}

/** The text of an HTML body; empty when the markup nests deeper than the converter can afford. */
export function htmlBodyText(html: string, maxInputLength: number): string {
  return nestingDepthExceeds(html) ? '' : htmlConverter(maxInputLength)(html);
}
